using System.Text.RegularExpressions;
using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// The conversations sidebar: the agent's default conversation and its other conversations, "New
/// chat", switching (each conversation keeps its turns; a turn keeps running into its own while
/// another is shown), the URL naming the conversation, a conversation busy with another client's turn.
/// </summary>
[TestClass]
public sealed partial class ConversationTests : ChatPageTest
{
    private ILocator Sidebar => Page.GetByRole(AriaRole.Navigation, new() { Name = "Conversations" });

    private ILocator Link(string conversationId) => Sidebar.Locator($"a[data-conversation-id='{conversationId}']");

    private ILocator MainLink => Link("default");

    [TestMethod]
    public async Task New_chat_and_switching_keep_each_conversations_messages_and_the_url_names_the_one_shown()
    {
        string agent = Gateway.AddAgent(name: "Echo", behaviour: request => AgentScript.Create().Say($"echo {request.UserText}"));
        await OpenChatAsync(agent);
        await Expect(MainLink).ToHaveAttributeAsync("aria-current", "page");
        await WaitForStateAsync(await SendAsync("in main"), "done");

        await Sidebar.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(ConversationInUrl());
        string conversation = ConversationInUrl().Match(Page.Url).Groups[1].Value;
        await Expect(Link(conversation)).ToHaveAttributeAsync("aria-current", "page");
        await Expect(MainLink).Not.ToHaveAttributeAsync("aria-current", "page");
        await Expect(Turns).ToHaveCountAsync(0);
        await Expect(Page.Locator("#empty-state")).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Message", new() { Exact = true })).ToBeFocusedAsync();

        ILocator second = await SendAsync("in new");
        await WaitForStateAsync(second, "done");
        await Expect(AnswerText(second)).ToHaveTextAsync("echo in new");
        Assert.IsTrue(Gateway.Simulator.Journal.Messages.Any(m => m.AgentId == agent && m.ConversationId == conversation && m.UserText == "in new"),
            "the message went to the new conversation");
        Assert.IsTrue(Gateway.Simulator.Journal.Messages.Any(m => m.AgentId == agent && m.ConversationId is null && m.UserText == "in main"),
            "the first one to the agent's default conversation");
        await Expect(Link(conversation)).ToHaveTextAsync("in new");

        await MainLink.ClickAsync();
        await Expect(Page).Not.ToHaveURLAsync(ConversationInUrl());
        await Expect(Turns).ToHaveCountAsync(1);
        await Expect(Turns.Locator(".msg.user .bubble")).ToHaveTextAsync("in main");
        await Expect(AnswerText(Turns.First)).ToHaveTextAsync("echo in main");

        await Link(conversation).ClickAsync();
        await Expect(Turns).ToHaveCountAsync(1);
        await Expect(Turns.Locator(".msg.user .bubble")).ToHaveTextAsync("in new");

        // A reload comes back to the conversation the URL names, with what it remembers.
        await Page.ReloadAsync();
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
        await Expect(Link(conversation)).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.Locator("#history .msg.user .bubble")).ToHaveTextAsync(["in new"]);
        await Expect(AnswerText(Page.Locator("#history > li.turn").First)).ToHaveTextAsync("echo in new");
    }

    [TestMethod]
    public async Task A_turn_keeps_running_while_another_conversation_is_shown_and_finishes_into_its_own()
    {
        string story = Scripts.ManyWords(120);
        string agent = Gateway.AddAgent(name: "Storyteller", behaviour: Scripts.Slow(story, tokenDelayMs: 50));
        await OpenChatAsync(agent);
        await Sidebar.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(ConversationInUrl());
        string conversation = ConversationInUrl().Match(Page.Url).Groups[1].Value;
        ILocator turn = await SendAsync("tell me a story");
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        string turnId = (await turn.GetAttributeAsync("data-turn-id"))!;

        await MainLink.ClickAsync();
        await Expect(Turns).ToHaveCountAsync(0);
        await Expect(Link(conversation)).ToHaveAttributeAsync("data-busy", "true");

        // Out of sight, the turn streams on into its own conversation and ends there.
        ILocator away = Page.Locator($"section.thread[data-conversation-id='{conversation}'] li.turn[data-turn-id='{turnId}']");
        await Expect(away).ToBeHiddenAsync();
        await Expect(away).ToHaveAttributeAsync("data-state", "done");
        await Expect(Link(conversation)).Not.ToHaveAttributeAsync("data-busy", "true");
        await Expect(Turns).ToHaveCountAsync(0);

        await Link(conversation).ClickAsync();
        await Expect(Turns).ToHaveCountAsync(1);
        Assert.AreEqual(story, (await AnswerText(Turns.First).EvaluateAsync<string>("e => e.textContent")).Trim());
        await Expect(Turns.First).ToHaveAttributeAsync("data-turn-id", turnId);
    }

    [TestMethod]
    public async Task A_conversation_busy_with_another_clients_turn_shows_busy_inline_and_a_new_chat_still_works()
    {
        string agent = Gateway.AddAgent(name: "Storyteller", behaviour: request => request.UserText == "hold the line"
            ? AgentScript.Create().Say(Scripts.ManyWords(400)).WithTokenDelay(TimeSpan.FromMilliseconds(100))
            : AgentScript.Create().Say($"echo {request.UserText}"));
        await OpenChatAsync(agent);
        await Sidebar.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(ConversationInUrl());
        string conversation = ConversationInUrl().Match(Page.Url).Groups[1].Value;

        // Another client (not resumable, so nothing to follow) holds the conversation with a long turn.
        await using TestClient other = await Gateway.ConnectAsync(agent);
        await other.SendJsonAsync(new { type = "message", id = "other-1", content = "hold the line", conversation_id = conversation, resumable = false });
        await other.ReadUntilAsync(f => f.Id == "other-1" && f.Type == "chunk");

        ILocator refused = await SendAsync("me too");
        await WaitForStateAsync(refused, "error");
        ILocator card = refused.Locator(".error-card");
        await Expect(card).ToHaveAttributeAsync("data-code", "busy");
        await Expect(card.Locator(".error-code")).ToHaveTextAsync("busy");
        await Expect(card).ToHaveAttributeAsync("role", "alert");

        // Another conversation of the same agent is free.
        await Sidebar.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Expect(Page).Not.ToHaveURLAsync(new Regex($"conversation={conversation}"));
        ILocator elsewhere = await SendAsync("and here");
        await WaitForStateAsync(elsewhere, "done");
        await Expect(AnswerText(elsewhere)).ToHaveTextAsync("echo and here");

        await other.CancelAsync("other-1");
        await other.ReadTurnAsync("other-1");
    }

    [GeneratedRegex("[?&]conversation=([A-Za-z0-9_-]+)")]
    private static partial Regex ConversationInUrl();
}

using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Conversations;

/// <summary>
/// Following a conversation from another device (docs/PROTOCOL.md, "Following"): a socket that follows an
/// agent sees turns started elsewhere live from their first event, marked as followed; its Stop cancels
/// the turn for everyone; its own turns are never replayed to it.
/// </summary>
[TestClass]
public sealed class FollowTests
{
    private static readonly string Words = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"w{i}"));
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:FollowPollInterval"] = "00:00:00.100" });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static string SlowAgent() =>
        s_gateway.AddAgent(r => AgentScript.Create().Say(r.UserText + ": " + Words).WithTokenDelay(TimeSpan.FromMilliseconds(15)));

    private static async Task<ServerFrame> FollowAsync(TestClient client, string id)
    {
        await client.SendJsonAsync(new { type = "follow", id });
        return (await client.ReadUntilAsync(f => f.Id == id && f.IsTerminal))[^1];
    }

    /// <summary>The frames of the first followed turn (id <c>f:…</c>) that is not in <paramref name="except"/>, up to its end.</summary>
    private static async Task<List<ServerFrame>> NextFollowedTurnAsync(TestClient client, string followId, params string[] except)
    {
        ServerFrame end;
        try
        {
            end = (await client.ReadUntilAsync(f => f.Id is { } id && id.StartsWith(followId + ":", StringComparison.Ordinal) && !except.Contains(id) && f.IsTerminal, TimeSpan.FromSeconds(30)))[^1];
        }
        catch (Exception e) when (e is TimeoutException or AssertFailedException)
        {
            throw new AssertFailedException("No followed turn ended; received: " + string.Join(" | ", client.Received.Select(f => $"{f.Type}:{f.Id}:{f.Code}:{f.Message}")), e);
        }

        return [.. client.Received.Where(f => f.Id == end.Id)];
    }

    [TestMethod]
    public async Task A_follower_sees_turns_started_on_another_socket_from_their_first_event()
    {
        string agent = SlowAgent();
        await using TestClient author = await s_gateway.ConnectAsync(agent);
        await using TestClient follower = await s_gateway.ConnectAsync(agent);

        ServerFrame following = await FollowAsync(follower, "f");
        await author.SendJsonAsync(new { type = "message", id = "a1", content = "first", resumable = true });
        List<ServerFrame> own = await author.ReadTurnAsync("a1", TimeSpan.FromSeconds(30));
        List<ServerFrame> seen = await NextFollowedTurnAsync(follower, "f");
        await author.SendJsonAsync(new { type = "message", id = "a2", content = "second", resumable = true });
        List<ServerFrame> later = await NextFollowedTurnAsync(follower, "f", seen[^1].Id!);

        Assert.AreEqual("following", following.Type, following.Message);
        Assert.AreEqual("done", seen[^1].Type);
        Assert.AreEqual(TestClient.Text(own), TestClient.Text(seen), "the whole turn, from its first event, no gap, no duplicate");
        Assert.AreEqual("first: " + Words, TestClient.Text(seen));
        Assert.IsTrue(seen.All(f => f.Followed == true), "every frame says the turn was started elsewhere");
        Assert.AreEqual(own.First(f => f.RunId is not null).RunId, seen.First(f => f.RunId is not null).RunId);
        Assert.AreEqual("second: " + Words, TestClient.Text(later), "a turn started later appears too, while the follow lasts");
    }

    [TestMethod]
    public async Task Stop_from_a_follower_cancels_the_turn_for_everyone()
    {
        string agent = s_gateway.AddAgent(r => AgentScript.Create().Say(Words + " " + Words + " " + Words).WithTokenDelay(TimeSpan.FromMilliseconds(30)));
        await using TestClient author = await s_gateway.ConnectAsync(agent);
        await using TestClient follower = await s_gateway.ConnectAsync(agent);
        await FollowAsync(follower, "f");

        await author.SendJsonAsync(new { type = "message", id = "long", content = "go", resumable = true });
        ServerFrame first = (await follower.ReadUntilAsync(f => f.Followed == true && f.Type == "chunk", TimeSpan.FromSeconds(30)))[^1];
        await follower.CancelAsync(first.Id!);
        ServerFrame followerEnd = (await follower.ReadTurnAsync(first.Id!))[^1];
        ServerFrame authorEnd = (await author.ReadTurnAsync("long", TimeSpan.FromSeconds(30)))[^1];
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(first.RunId!, timeout.Token);

        Assert.AreEqual("cancelled", followerEnd.StopReason);
        Assert.AreEqual("client", followerEnd.CancelledBy);
        Assert.AreEqual("cancelled", authorEnd.StopReason, "the author's turn stopped too: the run was cancelled in Letta");
    }

    [TestMethod]
    public async Task A_followers_own_turns_are_not_replayed_to_it()
    {
        string agent = SlowAgent();
        await using TestClient follower = await s_gateway.ConnectAsync(agent);
        await using TestClient author = await s_gateway.ConnectAsync(agent);
        await FollowAsync(follower, "f");

        await follower.SendJsonAsync(new { type = "message", id = "mine", content = "mine", resumable = true });
        string ownRun = (await follower.ReadTurnAsync("mine", TimeSpan.FromSeconds(30))).First(f => f.RunId is not null).RunId!;
        await author.SendJsonAsync(new { type = "message", id = "theirs", content = "theirs", resumable = true });
        List<ServerFrame> followed = await NextFollowedTurnAsync(follower, "f");

        Assert.AreEqual("theirs: " + Words, TestClient.Text(followed), "the first followed turn is the other socket's");
        Assert.IsFalse(follower.Received.Any(f => f.Followed == true && f.RunId == ownRun), "its own run was never followed");
    }

    [TestMethod]
    public async Task Unfollow_stops_new_turns_from_being_attached()
    {
        string agent = SlowAgent();
        await using TestClient author = await s_gateway.ConnectAsync(agent);
        await using TestClient follower = await s_gateway.ConnectAsync(agent);
        await FollowAsync(follower, "f");
        await FollowAsync(follower, "g");

        await follower.SendJsonAsync(new { type = "unfollow", id = "f" });
        await author.SendJsonAsync(new { type = "message", id = "t", content = "after", resumable = true });
        List<ServerFrame> stillFollowed = await NextFollowedTurnAsync(follower, "g");

        Assert.AreEqual("after: " + Words, TestClient.Text(stillFollowed), "the other follow still attaches");
        Assert.IsFalse(follower.Received.Any(f => f.Id is { } id && id.StartsWith("f:", StringComparison.Ordinal)), "the ended follow attached nothing");
    }
}

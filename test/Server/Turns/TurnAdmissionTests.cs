using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>The admission rules both transports share, one by one.</summary>
[TestClass]
public sealed class TurnAdmissionTests
{
    private const string Agent = "agent-00000000-0000-4000-8000-000000000001";
    private static readonly TurnAdmission Full = new(maxContentChars: 10, resumableTurns: true, UpstreamCapabilities.All);

    private static string? Code(TurnAdmission admission, TurnAsk ask, bool mayUse = true) => admission.Check(ask, _ => mayUse)?.Code;

    [TestMethod]
    public void A_plain_message_is_admitted() => Assert.IsNull(Code(Full, new TurnAsk(Agent) { Content = "hello" }));

    [TestMethod]
    [DataRow(null, "no_default_agent")]
    [DataRow("agent/../../v1/admin", "invalid_agent_id")]
    [DataRow("", "invalid_agent_id")]
    public void The_agent_id_is_required_and_safe_for_a_url(string? agent, string expected) =>
        Assert.AreEqual(expected, Code(Full, new TurnAsk(agent) { Content = "hi" }));

    [TestMethod]
    public void An_agent_outside_the_scope_is_refused() =>
        Assert.AreEqual(TurnAdmission.ForbiddenAgent, Code(Full, new TurnAsk(Agent) { Content = "hi" }, mayUse: false));

    [TestMethod]
    [DataRow("01234567890", "content_too_large")]
    [DataRow("a\0b", "bad_frame")]
    public void Content_is_bounded_and_has_no_nul(string content, string expected) =>
        Assert.AreEqual(expected, Code(Full, new TurnAsk(Agent) { Content = content }));

    [TestMethod]
    public void Ids_and_pacing_are_checked()
    {
        Assert.AreEqual("bad_frame", Code(Full, new TurnAsk(Agent) { Content = "hi", ConversationId = "conv/../x" }));
        Assert.AreEqual("bad_frame", Code(Full, new TurnAsk(Agent) { Resume = true, RunId = "run?x=1" }));
        Assert.AreEqual("bad_frame", Code(Full, new TurnAsk(Agent) { Content = "hi", MaxCharsPerSecond = 0 }));
        Assert.IsNull(Code(Full, new TurnAsk(Agent) { Resume = true, RunId = "run-1" }));
    }

    [TestMethod]
    public void What_the_server_or_its_upstream_cannot_serve_is_refused_by_type()
    {
        var noResume = new TurnAdmission(10, resumableTurns: false, UpstreamCapabilities.All);
        var bare = new TurnAdmission(10, resumableTurns: true, new UpstreamCapabilities(ResumableRuns: false, Conversations: false, Approvals: false));

        Assert.AreEqual("not_resumable", Code(noResume, new TurnAsk(Agent) { Resume = true }));
        Assert.AreEqual("not_resumable", Code(noResume, new TurnAsk(Agent) { Content = "hi", Resumable = true }));
        Assert.AreEqual("not_resumable", Code(bare, new TurnAsk(Agent) { Resume = true }));
        Assert.AreEqual("upstream_rejected", Code(bare, new TurnAsk(Agent) { Content = "hi", ConversationId = "conv-1" }));
        Assert.AreEqual("upstream_rejected", Code(bare, new TurnAsk(Agent) { Approve = true }));
        Assert.IsNull(Code(bare, new TurnAsk(Agent) { Content = "hi", Resumable = false }));
    }
}

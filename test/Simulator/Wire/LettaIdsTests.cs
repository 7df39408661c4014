using System.Text.RegularExpressions;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Tests.Wire;

[TestClass]
public sealed class LettaIdsTests
{
    [TestMethod]
    [DataRow("message-9e1b3d5f-7a2c-4e4b-9d6f-8a0c2e4a6b00", 1, "9e1b3d5f-7a2c-4e4b-9d6f-8a0c2e4a6b01")]
    [DataRow("message-9e1b3d5f-7a2c-4e4b-9d6f-8a0c2e4a6b00", 2, "9e1b3d5f-7a2c-4e4b-9d6f-8a0c2e4a6b02")]
    [DataRow("message-0d2f4b6d-8f0a-4c2e-8a4c-6e8f0a2c4e8a0c0", 0, "0d2f4b6d-8f0a-4c2e-8a4c-6e8f0a2c4e8a080")]
    [DataRow("message-0d2f4b6d-8f0a-4c2e-8a4c-6e8f0a2ce8ff", 3, "0d2f4b6d-8f0a-4c2e-8a4c-6e8f0a2ce883")]
    public void Otid_replaces_the_low_seven_bits_with_the_index(string id, int index, string expected) =>
        Assert.AreEqual(expected, LettaIds.Otid(id, index));

    [TestMethod]
    public void New_ids_have_Letta_prefixes_and_lowercase_uuid4()
    {
        const string Uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
        StringAssert.Matches(LettaIds.NewMessageId(), new Regex($"^message-{Uuid4}$"));
        StringAssert.Matches(LettaIds.NewRunId(), new Regex($"^run-{Uuid4}$"));
        StringAssert.Matches(LettaIds.NewStepId(), new Regex($"^step-{Uuid4}$"));
        StringAssert.Matches(LettaIds.NewPingId(), new Regex($"^ping-{Uuid4}$"));
        Assert.IsTrue(LettaIds.IsAgentId(DemoAgents.AdaId));
        Assert.IsFalse(LettaIds.IsAgentId("agent-123"));
        Assert.IsFalse(LettaIds.IsAgentId("agent-00000000-0000-3000-8000-000000000001"), "version nibble must be 4");
    }
}

using System.Security.Cryptography;
using System.Text;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// A turn's otid is how a client resumes a turn whose run id it never learnt, so it must come out the
/// same on every instance and every version of the gateway: the name-based UUID of
/// <c>lettasockets/otid/{agent}/{request id}</c> under SHA-256, read here with the plain definition.
/// </summary>
[TestClass]
public sealed class TurnOtidTests
{
    [TestMethod]
    [DataRow("agent-1", "t1")]
    [DataRow("agent-00000000-0000-4000-8000-000000000000", "ünïcødé-✓-请求")]
    [DataRow("a", "")]
    public void The_otid_is_the_name_based_uuid_of_agent_and_request_id(string agent, string turn)
    {
        Assert.AreEqual(Reference(agent, turn), TurnOtid.For(agent, turn));
    }

    [TestMethod]
    public void Ids_longer_than_the_stack_buffer_give_the_same_uuid()
    {
        string agent = "agent-" + new string('x', 300);
        string turn = new('é', 400); // 800 bytes of UTF-8
        Assert.AreEqual(Reference(agent, turn), TurnOtid.For(agent, turn));
    }

    [TestMethod]
    public void The_otid_is_a_version_8_variant_10_uuid_and_differs_per_turn()
    {
        string otid = TurnOtid.For("agent-1", "t1");
        Guid parsed = Guid.Parse(otid);
        Assert.AreEqual('8', otid[14], "version nibble");
        Assert.IsTrue("89ab".Contains(otid[19], StringComparison.Ordinal), "variant bits 10");
        Assert.AreNotEqual(otid, TurnOtid.For("agent-1", "t2"));
        Assert.AreNotEqual(otid, TurnOtid.For("agent-2", "t1"));
        Assert.AreEqual(otid, parsed.ToString());
    }

    [TestMethod]
    public void A_request_without_an_otid_gets_one_random_uuid_that_stays_the_same_and_a_given_one_is_kept()
    {
        var unset = new LettaTurnRequest("agent-1");
        string[] read = new string[8];
        Parallel.For(0, read.Length, i => read[i] = unset.Otid);

        Assert.IsTrue(Guid.TryParse(read[0], out _));
        Assert.AreEqual(1, read.Distinct().Count(), "every reader, the first ones at once included, sees the same otid (retries send it again)");
        Assert.AreNotEqual(read[0], new LettaTurnRequest("agent-1").Otid);
        Assert.AreEqual("given", new LettaTurnRequest("agent-1") { Otid = "given" }.Otid);
    }

    private static string Reference(string agent, string turn)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("lettasockets/otid/" + agent + "/" + turn));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}

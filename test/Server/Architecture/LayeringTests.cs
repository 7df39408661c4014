using System.Reflection;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Server.Turns;
using NetArchTest.Rules;

namespace LettaSockets.Server.Tests.Architecture;

/// <summary>
/// The arrows of docs/ARCHITECTURE.md, checked on the compiled assemblies: transports → turns → the
/// upstream port ← adapters; Protocol knows nothing of ASP.NET or the server; no namespace cycles.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    private const string Root = "LettaSockets.Server";
    private const string Adapter = Root + ".Letta";
    private const string Port = Root + ".Upstream";
    private static readonly Assembly Server = typeof(TurnPump).Assembly;

    private static void AssertNone(ConditionList rule, string why)
    {
        NetArchTest.Rules.TestResult result = rule.GetResult();
        Assert.IsTrue(result.IsSuccessful, $"{why}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [TestMethod]
    [DataRow(Root + ".Turns")]
    [DataRow(Root + ".Sockets")]
    [DataRow(Root + ".Sse")]
    [DataRow(Root + ".Security")]
    [DataRow(Root + ".Health")]
    public void Nothing_above_the_port_knows_an_adapter(string room) =>
        AssertNone(Types.InAssembly(Server).That().ResideInNamespace(room).ShouldNot().HaveDependencyOnAny(Adapter, Root + ".AppServer"), $"{room} reaches into an adapter");

    [TestMethod]
    public void The_port_depends_on_no_adapter_and_no_caller() =>
        AssertNone(Types.InAssembly(Server).That().ResideInNamespace(Port).ShouldNot()
            .HaveDependencyOnAny(Adapter, Root + ".AppServer", Root + ".Turns", Root + ".Sockets", Root + ".Sse", Root + ".Hosting", Root + ".Resilience"),
            "the upstream port points at nothing but the protocol");

    [TestMethod]
    public void Turns_do_not_depend_on_a_transport() =>
        AssertNone(Types.InAssembly(Server).That().ResideInNamespace(Root + ".Turns").ShouldNot().HaveDependencyOnAny(Root + ".Sockets", Root + ".Sse"),
            "turns serve both transports and know neither");

    [TestMethod]
    public void Protocol_references_no_aspnet_and_no_server() =>
        AssertNone(Types.InAssembly(typeof(StreamChunk).Assembly).ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", Root),
            "the wire contract is usable by any .NET client");

    [TestMethod]
    public void Protocol_carries_a_turns_identity_not_its_runtime_state()
    {
        // Counters, cursors and the cancel flag are the server's (TurnState); the wire contract keeps
        // what frames show. The run id is learned once, after the turn starts.
        static bool InitOnly(PropertyInfo p) => p.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit));
        string[] settable = [.. typeof(TurnInfo).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && !InitOnly(p)).Select(p => p.Name)];
        CollectionAssert.AreEquivalent(new[] { nameof(TurnInfo.RunId) }, settable, "only the run id is set after construction (init-only identity aside)");
        Assert.IsEmpty(typeof(TurnInfo).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName), "no behaviour, only identity");
        Assert.IsFalse(typeof(StreamChunk).Assembly.GetTypes().Any(t => t.IsPublic && t.Name.Contains("Pooled", StringComparison.Ordinal)), "pooling is the serializer's own business");
    }

    [TestMethod]
    public void No_two_server_namespaces_depend_on_each_other()
    {
        string[] rooms = Server.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith(Root + ".", StringComparison.Ordinal)).Distinct().Order().ToArray();
        var cycles = new List<string>();
        foreach (string a in rooms)
        {
            foreach (string b in rooms.Where(b => string.CompareOrdinal(a, b) < 0))
            {
                if (DependsOn(a, b) && DependsOn(b, a))
                {
                    cycles.Add($"{a} <-> {b}");
                }
            }
        }

        Assert.AreEqual(0, cycles.Count, "namespace cycles: " + string.Join("; ", cycles));
    }

    private static bool DependsOn(string from, string to) =>
        Types.InAssembly(Server).That().ResideInNamespaceMatching("^" + System.Text.RegularExpressions.Regex.Escape(from) + "$").And().HaveDependencyOn(to).GetTypes().Any();
}

using LettaSockets.Protocol.Json;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>Makes objects of the foreign agent through the unscoped key, so scoped clients can name them.</summary>
public static class ForeignRuns
{
    /// <summary>Runs one resumable turn of the foreign agent to its end and returns its run id.</summary>
    public static async Task<string> StartFinishedBackgroundRunAsync(FuzzWorld world)
    {
        await using TestClient owner = await world.Gateway.ConnectAsync(world.ForeignAgent, o => o.SetRequestHeader("Authorization", $"Bearer {FuzzWorld.FullKey}"));
        await owner.SendJsonAsync(new { type = "message", id = "own", content = "secret", resumable = true });
        List<ServerFrame> turn = await owner.ReadTurnAsync("own");
        Assert.AreEqual("done", turn[^1].Type, "the foreign agent's own turn works with the unscoped key");
        return turn.First(f => f.RunId is not null).RunId!;
    }
}

namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of the <c>ready</c> frame, the first frame of every connection.</summary>
public sealed record ReadyInfo(string ConnectionId, string? AgentId, bool Resumable, int MaxFrameBytes, int MaxContentChars, int MaxActiveTurns, string ServerVersion)
{
    /// <summary>Which gateway instance holds the connection (<c>server.instance</c>), for operators behind a load balancer.</summary>
    public string? ServerInstance { get; init; }
}

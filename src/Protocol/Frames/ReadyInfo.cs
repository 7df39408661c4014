namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of the <c>ready</c> frame, the first frame of every connection.</summary>
public sealed record ReadyInfo(string ConnectionId, string? AgentId, bool Resumable, int MaxFrameBytes, int MaxContentChars, int MaxActiveTurns, string ServerVersion)
{
    /// <summary>Which gateway instance holds the connection (<c>server.instance</c>), for operators behind a load balancer.</summary>
    public string? ServerInstance { get; init; }

    /// <summary>Whether the upstream has several conversations per agent (<c>conversation_id</c>, the
    /// conversations routes, history by conversation).</summary>
    public bool Conversations { get; init; }
}

namespace LettaSockets.Protocol.Frames;

/// <summary>Letta stop reasons the gateway itself needs to recognise (Letta docs: guides/agents/streaming).</summary>
public static class StopReasons
{
    public const string EndTurn = "end_turn";
    public const string Cancelled = "cancelled";
    public const string RequiresApproval = "requires_approval";
    public const string Error = "error";
}

using System.Text.Json;

namespace LettaSockets.Client;

/// <summary>An <c>approve</c>: answers an <see cref="ApprovalRequestFrame"/> and starts the turn that follows.</summary>
public sealed record ApproveRequest(string ToolCallId, bool Approve) : TurnRequest
{
    public override string Type => "approve";

    public string? Reason { get; init; }

    protected internal override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("tool_call_id", ToolCallId);
        writer.WriteBoolean("approve", Approve);
        if (Reason is not null)
        {
            writer.WriteString("reason", Reason);
        }
    }
}

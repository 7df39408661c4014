using System.Text.Json;

namespace LettaSockets.Client;

/// <summary>A <c>resume</c>: re-attaches the resumable run of turn <see cref="TurnRequest.Id"/> after <see cref="AfterSeq"/>.</summary>
public sealed record ResumeRequest : TurnRequest
{
    public ResumeRequest(TurnCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        Id = cursor.Id;
        RunId = cursor.RunId;
        AfterSeq = cursor.AfterSeq;
        AgentId = cursor.AgentId;
        ConversationId = cursor.ConversationId;
    }

    public override string Type => "resume";

    /// <summary>Without it, the agent's newest background run (docs/PROTOCOL.md, "Resuming").</summary>
    public string? RunId { get; init; }

    public long AfterSeq { get; init; }

    public string? ConversationId { get; init; }

    protected internal override bool AsksResumable => true;

    protected internal override string? Conversation => ConversationId;

    protected internal override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (RunId is not null)
        {
            writer.WriteString("run_id", RunId);
        }

        writer.WriteNumber("after_seq", AfterSeq);
        if (ConversationId is not null)
        {
            writer.WriteString("conversation_id", ConversationId);
        }
    }
}

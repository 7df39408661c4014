using System.Text.Json;

namespace LettaSockets.Client;

/// <summary>
/// A request the gateway answers with frames of its id, ended by exactly one terminal frame (docs/PROTOCOL.md,
/// rule 1: <c>done</c> or <c>error</c>; <c>history</c> answers a history request, <c>following</c> a follow).
/// <see cref="MessageRequest"/>, <see cref="ApproveRequest"/> and <see cref="ResumeRequest"/> are typed here;
/// another kind derives from this and writes its own fields.
/// </summary>
public abstract record TurnRequest
{
    /// <summary>The request id; the client assigns one when null.</summary>
    public string? Id { get; init; }

    /// <summary>The agent, when not the socket's.</summary>
    public string? AgentId { get; init; }

    /// <summary>The frame's <c>type</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Whether the turn's run survives a dropped socket as far as the request says (the server may say so later).</summary>
    protected internal virtual bool AsksResumable => false;

    /// <summary>The conversation the request is about, if any (a resume of the turn names it).</summary>
    protected internal virtual string? Conversation => null;

    /// <summary>Writes the frame's fields other than <c>type</c>, <c>id</c> and <c>agent_id</c>.</summary>
    protected internal abstract void WriteFields(Utf8JsonWriter writer);
}

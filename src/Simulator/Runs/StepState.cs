using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// Ids of one agent step: one <c>message-…</c> id shared by everything the LLM response produced, and the
/// otid index that moves on whenever the message type changes (Letta's token and step streaming).
/// </summary>
internal sealed class StepState
{
    private string? _messageId;
    private string? _lastType;
    private int _index = -1;

    public string StepId { get; } = LettaIds.NewStepId();

    public string MessageId => _messageId ??= LettaIds.NewMessageId();

    public string Otid(string messageType)
    {
        if (messageType != _lastType)
        {
            _index++;
            _lastType = messageType;
        }

        return LettaIds.Otid(MessageId, _index);
    }
}

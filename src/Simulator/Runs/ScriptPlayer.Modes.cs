using LettaSockets.Simulator.Scripts;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

internal sealed partial class ScriptPlayer
{
    private const string Reasoning = "reasoning_message";
    private const string HiddenReasoning = "hidden_reasoning_message";
    private const string Assistant = "assistant_message";
    private const string ToolCall = "tool_call_message";
    private const string ApprovalRequest = "approval_request_message";

    /// <summary>Token mode: deltas as they are "generated".</summary>
    private async ValueTask PlayTokensAsync(ScriptPart part, StepState step)
    {
        switch (part)
        {
            case ReasoningPart r:
                await StreamTextAsync(step, Reasoning, r.Text, reasoning: true, (e, t) => emit.Frames.Reasoning(e, t, r.Source))
                    .ConfigureAwait(false);
                break;
            case SayPart s:
                await StreamTextAsync(step, Assistant, s.Text, reasoning: false, (e, t) => emit.Frames.Assistant(e, t))
                    .ConfigureAwait(false);
                break;
            case HiddenReasoningPart h:
                await DelayAsync(script.TokenDelay).ConfigureAwait(false);
                await EmitAsync(step.MessageId, null, step.Otid(HiddenReasoning), step.StepId,
                    e => emit.Frames.HiddenReasoning(e, h.State, h.Text)).ConfigureAwait(false);
                break;
            case ToolCallPart c:
                var callId = c.ToolCallId ?? LettaIds.NewToolCallId();
                await StreamCallAsync(step, ToolCall, c.Name, c.Arguments, callId).ConfigureAwait(false);
                await DelayAsync(c.ToolDelay).ConfigureAwait(false);
                await EmitToolReturnAsync(step, c.Name, c.Result, c.Status, callId, c.Stdout, c.Stderr).ConfigureAwait(false);
                break;
            case ApprovalRequestPart a:
                await StreamCallAsync(step, ApprovalRequest, a.Name, a.Arguments, a.ToolCallId).ConfigureAwait(false);
                break;
            case ToolReturnPart t:
                await EmitToolReturnAsync(step, t.Name, t.Result, t.Status, t.ToolCallId, t.Stdout, t.Stderr).ConfigureAwait(false);
                break;
            case PausePart p:
                await DelayAsync(p.Duration).ConfigureAwait(false);
                break;
            case TimestampedDeltasPart d:
                await TimestampedAsync(step, d).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Step mode: the step's time passes first, its messages go out whole at the end (Letta's token and step streaming).</summary>
    private async ValueTask PlayWholeAsync(ScriptPart part, StepState step)
    {
        switch (part)
        {
            case ReasoningPart r:
                await DeferTextAsync(step, Reasoning, r.Text, reasoning: true, e => emit.Frames.Reasoning(e, r.Text, r.Source))
                    .ConfigureAwait(false);
                break;
            case SayPart s:
                await DeferTextAsync(step, Assistant, s.Text, reasoning: false, e => emit.Frames.Assistant(e, s.Text))
                    .ConfigureAwait(false);
                break;
            case HiddenReasoningPart h:
                await DelayAsync(script.TokenDelay).ConfigureAwait(false);
                Defer(step, HiddenReasoning, e => emit.Frames.HiddenReasoning(e, h.State, h.Text));
                break;
            case ToolCallPart c:
                var callId = c.ToolCallId ?? LettaIds.NewToolCallId();
                await DeferCallAsync(step, ToolCall, c.Name, c.Arguments, callId).ConfigureAwait(false);
                await DelayAsync(c.ToolDelay).ConfigureAwait(false);
                DeferToolReturn(step, c.Name, c.Result, c.Status, callId, c.Stdout, c.Stderr);
                break;
            case ApprovalRequestPart a:
                await DeferCallAsync(step, ApprovalRequest, a.Name, a.Arguments, a.ToolCallId).ConfigureAwait(false);
                break;
            case ToolReturnPart t:
                DeferToolReturn(step, t.Name, t.Result, t.Status, t.ToolCallId, t.Stdout, t.Stderr);
                break;
            case PausePart p:
                await DelayAsync(p.Duration).ConfigureAwait(false);
                break;
            case TimestampedDeltasPart d:
                await FlushPendingAsync().ConfigureAwait(false);
                await TimestampedAsync(step, d).ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask StreamTextAsync(StepState step, string type, string text, bool reasoning, Func<Envelope, string, byte[]> render)
    {
        if (text.Length == 0)
        {
            return;
        }

        var otid = step.Otid(type);
        foreach (var token in TextTokenizer.Split(text))
        {
            await DelayAsync(script.TokenDelay).ConfigureAwait(false);
            await EmitAsync(step.MessageId, null, otid, step.StepId, e => render(e, token)).ConfigureAwait(false);
            _usage.AddCompletion(1, reasoning);
        }
    }

    /// <summary>Letta's event payloads token mode: first delta name + id, then argument fragments + id.</summary>
    private async ValueTask StreamCallAsync(StepState step, string type, string name, string arguments, string callId)
    {
        var otid = step.Otid(type);
        await DelayAsync(script.TokenDelay).ConfigureAwait(false);
        await EmitAsync(step.MessageId, null, otid, step.StepId, e => emit.Frames.ToolCallDelta(e, type, name, null, callId))
            .ConfigureAwait(false);
        foreach (var fragment in TextTokenizer.Split(arguments))
        {
            await DelayAsync(script.TokenDelay).ConfigureAwait(false);
            await EmitAsync(step.MessageId, null, otid, step.StepId, e => emit.Frames.ToolCallDelta(e, type, null, fragment, callId))
                .ConfigureAwait(false);
        }

        _usage.AddCompletion(1 + TextTokenizer.Split(arguments).Count);
    }

    private async ValueTask DeferTextAsync(StepState step, string type, string text, bool reasoning, Func<Envelope, byte[]> render)
    {
        if (text.Length == 0)
        {
            return;
        }

        var tokens = TextTokenizer.Split(text).Count;
        await DelayAsync(script.TokenDelay * tokens).ConfigureAwait(false);
        Defer(step, type, render);
        _usage.AddCompletion(tokens, reasoning);
    }

    private async ValueTask DeferCallAsync(StepState step, string type, string name, string arguments, string callId)
    {
        var tokens = 1 + TextTokenizer.Split(arguments).Count;
        await DelayAsync(script.TokenDelay * tokens).ConfigureAwait(false);
        Defer(step, type, e => emit.Frames.ToolCall(e, type, name, arguments, callId));
        _usage.AddCompletion(tokens);
    }

    private void Defer(StepState step, string type, Func<Envelope, byte[]> render) =>
        _pending.Add(new PendingMessage(step.MessageId, null, step.Otid(type), step.StepId, render));

    private void DeferToolReturn(StepState step, string name, string result, string status, string callId,
        IReadOnlyList<string>? stdout, IReadOnlyList<string>? stderr)
    {
        var id = LettaIds.NewMessageId();
        _pending.Add(new PendingMessage(id, name, LettaIds.Otid(id, 0), step.StepId,
            e => emit.Frames.ToolReturn(e, result, status, callId, stdout, stderr)));
    }

    private async ValueTask FlushPendingAsync()
    {
        foreach (var message in _pending)
        {
            await EmitAsync(message.Id, message.Name, message.Otid, message.StepId, message.Render).ConfigureAwait(false);
        }

        _pending.Clear();
    }
}

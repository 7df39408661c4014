namespace LettaSockets.Simulator;

/// <summary>
/// What an agent answers to one request: ordered steps (LLM responses) plus pacing, the final
/// stop reason and usage. A fluent builder; content after a tool call or tool return starts a new step.
/// </summary>
public sealed class AgentScript
{
    private readonly List<ScriptStep> _steps = [];
    private bool _stepClosed = true;

    private AgentScript()
    {
    }

    public static AgentScript Create() => new();

    public IReadOnlyList<ScriptStep> Steps => _steps;

    /// <summary>Delay before each token in token mode; summed per step in step mode.</summary>
    public TimeSpan TokenDelay { get; private set; }

    public string StopReason { get; private set; } = "end_turn";

    public ScriptUsage? Usage { get; private set; }

    public AgentScript Reasoning(string text, string source = "reasoner_model") => Add(new ReasoningPart(text, source));

    public AgentScript HiddenReasoning(string state = "omitted", string? text = null) =>
        Add(new HiddenReasoningPart(state, text));

    public AgentScript Say(string text) => Add(new SayPart(text));

    public AgentScript ToolCall(
        string name,
        string arguments,
        string result,
        string status = "success",
        TimeSpan? toolDelay = null,
        IReadOnlyList<string>? stdout = null,
        IReadOnlyList<string>? stderr = null,
        string? toolCallId = null)
    {
        Add(new ToolCallPart(name, arguments, result)
        {
            Status = status,
            ToolDelay = toolDelay ?? TimeSpan.Zero,
            Stdout = stdout,
            Stderr = stderr,
            ToolCallId = toolCallId,
        });
        return NextStep();
    }

    public AgentScript ToolReturn(string name, string result, string toolCallId, string status = "success")
    {
        Add(new ToolReturnPart(name, result, toolCallId, status));
        return NextStep();
    }

    /// <summary>Asks the caller to approve a tool call; the run ends with <c>requires_approval</c>.</summary>
    public AgentScript RequestApproval(string name, string arguments, string toolCallId)
    {
        Add(new ApprovalRequestPart(name, arguments, toolCallId));
        StopReason = "requires_approval";
        return NextStep();
    }

    /// <summary>Silence inside the current step.</summary>
    public AgentScript Pause(TimeSpan duration) => Add(new PausePart(duration));

    public AgentScript TimestampedDeltas(int count, double perSecond = 0, int size = 16) =>
        Add(new TimestampedDeltasPart(count, perSecond, size));

    /// <summary>Starts a new LLM response for whatever comes next.</summary>
    public AgentScript NextStep()
    {
        _stepClosed = true;
        return this;
    }

    public AgentScript WithTokenDelay(TimeSpan delay)
    {
        TokenDelay = delay;
        return this;
    }

    public AgentScript WithStopReason(string stopReason)
    {
        StopReason = stopReason;
        return this;
    }

    public AgentScript WithUsage(ScriptUsage usage)
    {
        Usage = usage;
        return this;
    }

    private AgentScript Add(ScriptPart part)
    {
        if (_stepClosed)
        {
            _steps.Add(new ScriptStep());
            _stepClosed = false;
        }

        _steps[^1].Add(part);
        return this;
    }
}

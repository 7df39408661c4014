namespace LettaSockets.Simulator;

/// <summary>One element of a <see cref="ScriptStep"/>; build them with <see cref="AgentScript"/>.</summary>
public abstract record ScriptPart
{
    private protected ScriptPart()
    {
    }
}

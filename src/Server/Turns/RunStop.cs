namespace LettaSockets.Server.Turns;

/// <summary>Why the gateway stops following a turn's run (see <see cref="Turn.StopRunIfAbandoned"/>).</summary>
public enum RunStop
{
    /// <summary>The turn was cancelled (client, disconnect, shutdown, slow consumer).</summary>
    Cancelled,

    /// <summary>The gateway lost the run's stream (idle timeout, broken or failed stream).</summary>
    Lost,
}

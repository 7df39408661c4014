namespace LettaSockets.Client;

/// <summary>The gateway could not be reached, or did not speak the protocol (no <c>ready</c>).</summary>
public sealed class LettaSocketsException : Exception
{
    public LettaSocketsException()
    {
    }

    public LettaSocketsException(string message)
        : base(message)
    {
    }

    public LettaSocketsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

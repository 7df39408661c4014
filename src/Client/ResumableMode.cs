namespace LettaSockets.Client;

/// <summary>Whether messages ask for resumable turns (Letta background runs that survive a dropped socket).</summary>
public enum ResumableMode
{
    /// <summary>Send no <c>resumable</c> field: the server's default applies.</summary>
    ServerDefault,

    /// <summary><c>resumable: true</c> when the server offers resumable turns (<c>ready.resumable</c>).</summary>
    WhenOffered,

    /// <summary>Always <c>resumable: true</c> (a server without them answers <c>not_resumable</c>).</summary>
    Always,

    /// <summary>Always <c>resumable: false</c>.</summary>
    Never,
}

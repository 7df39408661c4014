using LettaSockets.Server.Upstream;
namespace LettaSockets.Server.Letta;

/// <summary>
/// Where Letta is. Known at once when <c>Letta:BaseUrl</c> is set; otherwise resolved when the
/// embedded simulator has bound its loopback port.
/// </summary>
public sealed class LettaEndpoint
{
    private readonly TaskCompletionSource<Uri> _baseUrl = new(TaskCreationOptions.RunContinuationsAsynchronously);


    public void Resolve(Uri baseUrl)
    {
        string text = baseUrl.ToString();
        _baseUrl.TrySetResult(new Uri(text.EndsWith('/') ? text : text + "/"));
    }

    public void Fail(Exception error) => _baseUrl.TrySetException(error);

    /// <summary>An absolute URL for <paramref name="relative"/> (no leading slash, e.g. <c>v1/agents</c>).</summary>
    public async ValueTask<Uri> UrlAsync(string relative, CancellationToken cancellationToken)
    {
        Uri root = _baseUrl.Task.IsCompletedSuccessfully
            ? _baseUrl.Task.Result
            : await _baseUrl.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // The root ends in '/' and relative never starts with one, so appending is what resolving
        // against the root gives, without the resolver's per-call merging (a turn start builds one).
        return new Uri(root.AbsoluteUri + relative, UriKind.Absolute);
    }
}

using LettaSockets.Protocol.Frames;
using Microsoft.Extensions.Caching.Memory;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Security;

/// <summary>
/// The one place that decides whether a turn may touch the objects its frame names beyond the agent
/// (docs/PROTOCOL.md, rule 7): a run to resume and a conversation to write to must belong to the turn's agent —
/// which admission has already checked against the key's scope. Owners are asked of Letta once and
/// cached (a run or conversation never changes agent). A refusal reads exactly like a missing object,
/// so a client learns nothing about other agents' ids.
/// </summary>
public sealed class ObjectAuthorizer : IDisposable
{
    /// <summary>Owners remembered at most; each entry is an id and an agent id (~200 bytes).</summary>
    public const int CacheEntries = 50_000;

    private static readonly TimeSpan s_slidingLifetime = TimeSpan.FromHours(6);
    private readonly IUpstream _letta;
    private readonly MemoryCache _owners;

    public ObjectAuthorizer(IUpstream letta)
    {
        _letta = letta;
        _owners = new MemoryCache(new MemoryCacheOptions { SizeLimit = CacheEntries });
    }

    private long _lookups;

    /// <summary>Owner look-ups that went to Letta (not answered from the cache).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Throws the refusal (as <see cref="UpstreamException"/>, like Letta's own 404) when the
    /// turn names a run or conversation of another agent, or one that does not exist.</summary>
    public async ValueTask AuthorizeAsync(string agentId, string? runId, string? conversationId, CancellationToken cancellationToken)
    {
        if (runId is not null && !Owns(agentId, await OwnerAsync("run:", runId, _letta.GetRunOwnerAsync, cancellationToken).ConfigureAwait(false)))
        {
            throw RunNotFound();
        }

        // "default" is the agent's own default conversation: Letta addresses it with the agent id.
        if (conversationId is not null and not "default"
            && !Owns(agentId, await OwnerAsync("conversation:", conversationId, _letta.GetConversationOwnerAsync, cancellationToken).ConfigureAwait(false)))
        {
            throw new UpstreamException(ErrorCodes.ConversationNotFound, "Letta does not know this conversation.", false) { StatusCode = 404 };
        }
    }

    /// <summary>The refusal for a run that is missing or not the turn's agent's — the same words for both.</summary>
    public static UpstreamException RunNotFound() =>
        new(ErrorCodes.RunNotFound, "Letta does not know this run.", false) { StatusCode = 404 };

    public void Dispose() => _owners.Dispose();

    private static bool Owns(string agentId, ObjectOwner? owner) =>
        owner is not null && string.Equals(owner.AgentId, agentId, StringComparison.Ordinal);

    private async ValueTask<ObjectOwner?> OwnerAsync(string kind, string id, Func<string, CancellationToken, Task<ObjectOwner?>> lookup, CancellationToken cancellationToken)
    {
        string key = kind + id;
        if (_owners.TryGetValue(key, out ObjectOwner? cached))
        {
            return cached;
        }

        Interlocked.Increment(ref _lookups);
        ObjectOwner? owner = await lookup(id, cancellationToken).ConfigureAwait(false);
        if (owner is not null)
        {
            // Only owners are cached: an id Letta does not know yet may exist later.
            _owners.Set(key, owner, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = s_slidingLifetime });
        }

        return owner;
    }
}

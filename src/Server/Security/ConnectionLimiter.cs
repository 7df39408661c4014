using System.Net;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>
/// Counts WebSocket connections, in total and per client IP, and reserves a slot before the upgrade
/// (so concurrent upgrades cannot overshoot); the slot is given back when the connection ends.
/// </summary>
public sealed class ConnectionLimiter(IOptions<LimitOptions> options)
{
    /// <summary>The refusal code when a connection limit is reached.</summary>
    public const string TooManyConnections = "too_many_connections";

    private readonly LimitOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perIp = [];
    private int _total;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public TimeSpan RetryAfter => _options.ConnectionRetryAfter;

    /// <summary>
    /// The gate every connection (WebSocket upgrade or <c>POST /stream</c>) passes before it starts:
    /// refused with 503 <c>shutting_down</c> while the instance drains, or <c>too_many_connections</c>
    /// over a limit (both with <c>Retry-After</c>). Returns the slot to hold for the connection's
    /// lifetime, or null when the request was already answered.
    /// </summary>
    public async Task<Slot?> AdmitAsync(HttpContext context, bool draining)
    {
        if (draining)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Protocol.Frames.ErrorCodes.ShuttingDown, "This server is shutting down: connect again (to another instance).", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return null;
        }

        Slot? slot = TryAcquire(context.Connection.RemoteIpAddress, out string? refusal);
        if (slot is null)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, TooManyConnections, refusal!, RetryAfter).ConfigureAwait(false);
        }

        return slot;
    }

    /// <summary>A slot for a connection from <paramref name="ip"/>, or null (with the reason) when a limit is reached.</summary>
    public Slot? TryAcquire(IPAddress? ip, out string? refusal)
    {
        IPAddress? key = ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;
        lock (_gate)
        {
            if (_total >= _options.MaxConnections)
            {
                refusal = "This server holds as many connections as it may; try again shortly.";
                return null;
            }

            int fromIp = key is null ? 0 : _perIp.GetValueOrDefault(key);
            if (key is not null && fromIp >= _options.MaxConnectionsPerIp)
            {
                refusal = "Too many connections from your address; close some and try again.";
                return null;
            }

            _total++;
            if (key is not null)
            {
                _perIp[key] = fromIp + 1;
            }
        }

        refusal = null;
        return new Slot(this, key);
    }

    private void Release(IPAddress? key)
    {
        lock (_gate)
        {
            _total--;
            if (key is not null && _perIp.TryGetValue(key, out int count))
            {
                if (count <= 1)
                {
                    _perIp.Remove(key);
                }
                else
                {
                    _perIp[key] = count - 1;
                }
            }
        }
    }

    /// <summary>One reserved connection; disposing it frees the slot (once).</summary>
    public sealed class Slot(ConnectionLimiter owner, IPAddress? key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}

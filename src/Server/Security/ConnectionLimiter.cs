using System.Net;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>
/// Counts WebSocket connections, in total and per client IP, and reserves a slot before the upgrade
/// (so concurrent upgrades cannot overshoot); the slot is given back when the connection ends.
/// </summary>
public sealed class ConnectionLimiter(IOptions<LimitOptions> options)
{
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

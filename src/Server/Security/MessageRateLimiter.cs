using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>
/// A token bucket per connection for turn-starting frames (<see cref="LimitOptions.MessagesPerMinute"/>,
/// burst <see cref="LimitOptions.MessageBurst"/>). One partitioned limiter serves every connection:
/// a single timer refills all buckets, and a connection's bucket is dropped once it is full and idle.
/// </summary>
public sealed class MessageRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _period;

    public MessageRateLimiter(IOptions<LimitOptions> options)
    {
        LimitOptions o = options.Value;

        // The shared timer ticks every 100 ms, so a refill period is kept ≥ 1 s with a whole number
        // of tokens: 90/min becomes 2 tokens per 1.33 s, 6000/min 100 per second.
        int tokens = (int)Math.Ceiling(o.MessagesPerMinute / 60.0);
        _period = TimeSpan.FromMinutes(1) * tokens / o.MessagesPerMinute;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.MessageBurst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = _period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }

    /// <summary>Takes one token of <paramref name="connectionId"/>'s bucket; when empty, says how long until the next.</summary>
    public bool TryAcquire(string connectionId, out TimeSpan retryAfter)
    {
        using RateLimitLease lease = _limiter.AttemptAcquire(connectionId);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : _period;
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}

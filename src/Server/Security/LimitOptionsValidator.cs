using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>Checks the <c>Limits</c> settings at start-up and reports every problem at once.</summary>
public sealed class LimitOptionsValidator : IValidateOptions<LimitOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitOptions o)
    {
        var errors = new List<string>();
        AtLeastOne(errors, "Limits:MaxConnections", o.MaxConnections);
        AtLeastOne(errors, "Limits:MaxConnectionsPerIp", o.MaxConnectionsPerIp);
        AtLeastOne(errors, "Limits:MessagesPerMinute", o.MessagesPerMinute);
        AtLeastOne(errors, "Limits:MessageBurst", o.MessageBurst);
        if (o.MaxBufferedBytes is < 64 * 1024)
        {
            errors.Add("Limits:MaxBufferedBytes must be at least 65536 (or empty for a quarter of the runtime's memory).");
        }

        if (o.ConnectionRetryAfter < TimeSpan.FromSeconds(1))
        {
            errors.Add("Limits:ConnectionRetryAfter must be at least 00:00:01.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void AtLeastOne(List<string> errors, string key, int value)
    {
        if (value < 1)
        {
            errors.Add($"{key} must be at least 1.");
        }
    }
}

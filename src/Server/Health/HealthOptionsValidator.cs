using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Health;

/// <summary>Checks <c>Health</c> at start-up, every problem at once.</summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions o)
    {
        var errors = new List<string>();
        if (o.ProbeInterval < TimeSpan.Zero)
        {
            errors.Add("Health:ProbeInterval must not be negative.");
        }

        if (o.ProbeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Health:ProbeTimeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

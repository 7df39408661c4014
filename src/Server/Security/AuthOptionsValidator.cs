using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Connections;
using LettaSockets.Server.Sockets;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>Checks the <c>Auth</c> settings at start-up and reports every problem at once (never a key's value).</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions o)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.ApiKeys.Count; i++)
        {
            ClientKeyOptions key = o.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < ClientKeyOptions.MinimumLength)
            {
                errors.Add($"Auth:ApiKeys:{i}:Key must be at least {ClientKeyOptions.MinimumLength} characters.");
            }
            else if (!seen.Add(key.Key))
            {
                errors.Add($"Auth:ApiKeys:{i}:Key repeats an earlier key.");
            }

            for (int j = 0; j < key.Agents.Count; j++)
            {
                if (!AgentIds.IsValid(key.Agents[j]))
                {
                    errors.Add($"Auth:ApiKeys:{i}:Agents:{j} must be 1 to 128 letters, digits, '-' or '_'.");
                }
            }
        }

        for (int i = 0; i < o.AllowedOrigins.Count; i++)
        {
            if (OriginPolicy.Normalize(o.AllowedOrigins[i]) is null)
            {
                errors.Add($"Auth:AllowedOrigins:{i} must be '*' or an origin like https://chat.example.com (scheme, host, optional port; no path), got '{o.AllowedOrigins[i]}'.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

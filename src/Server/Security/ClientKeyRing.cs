using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>
/// The configured client keys, kept only as SHA-256 hashes. A presented key is hashed and compared
/// with every configured hash in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>),
/// without stopping at a match, so neither timing nor position tells anything about the keys.
/// </summary>
public sealed class ClientKeyRing
{
    private readonly byte[][] _hashes;
    private readonly IReadOnlySet<string>?[] _scopes;

    public ClientKeyRing(IOptions<AuthOptions> options)
    {
        List<ClientKeyOptions> keys = options.Value.ApiKeys;
        _hashes = keys.Select(k => Hash(k.Key)).ToArray();
        _scopes = keys.Select(k => k.Agents.Count == 0 ? null : (IReadOnlySet<string>)k.Agents.ToHashSet(StringComparer.Ordinal)).ToArray();
    }

    /// <summary>True when no key is configured: everyone may connect.</summary>
    public bool IsOpen => _hashes.Length == 0;

    /// <summary>True when <paramref name="presented"/> is a configured key; <paramref name="agents"/> is
    /// then its scope (null = every agent).</summary>
    public bool TryAuthenticate(string? presented, out IReadOnlySet<string>? agents)
    {
        agents = null;
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        byte[] hash = Hash(presented);
        int match = -1;
        for (int i = 0; i < _hashes.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, _hashes[i]))
            {
                match = i;
            }
        }

        if (match < 0)
        {
            return false;
        }

        agents = _scopes[match];
        return true;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

using System.Security.Cryptography;

namespace LettaSockets.Server.Connections;

/// <summary>Short, unguessable connection ids (<c>c_</c> + 12 base32 characters).</summary>
public static class ConnectionIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Next()
    {
        Span<byte> random = stackalloc byte[12];
        RandomNumberGenerator.Fill(random);
        return string.Create(14, random.ToArray(), static (span, bytes) =>
        {
            span[0] = 'c';
            span[1] = '_';
            for (int i = 0; i < 12; i++)
            {
                span[i + 2] = Alphabet[bytes[i] & 31];
            }
        });
    }
}

using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace LettaSockets.Server.Upstream;

/// <summary>
/// The <c>otid</c> the gateway sends with a turn's input: a UUID derived from the agent and the turn's
/// request id, so a client that never learnt its run id (its socket dropped first) can resume by the
/// request id alone and get that turn's run — never another one (Letta maps each input otid to its run).
/// It is also Letta's idempotency key: a retry of the same request carries the same otid.
/// </summary>
public static class TurnOtid
{
    private static ReadOnlySpan<byte> Prefix => "lettasockets/otid/"u8;

    public static string For(string agentId, string turnId)
    {
        Span<byte> hash = stackalloc byte[32];
        int length = Prefix.Length + Encoding.UTF8.GetMaxByteCount(agentId.Length + turnId.Length + 1);
        byte[]? rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> name = rented ?? stackalloc byte[512];
        Prefix.CopyTo(name);
        int at = Prefix.Length;
        at += Encoding.UTF8.GetBytes(agentId, name[at..]);
        name[at++] = (byte)'/';
        at += Encoding.UTF8.GetBytes(turnId, name[at..]);
        SHA256.HashData(name[..at], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        // A name-based UUID (RFC 9562 version 8, variant 10): a bare UUID, as Letta's otids are.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString();
    }
}

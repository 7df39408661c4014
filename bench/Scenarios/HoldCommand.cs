using System.Globalization;
using System.Net;
using LettaSockets.Bench.Load;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// <c>hold --port P --count N --first-source K</c>: a helper process of the capacity probe. One process
/// may not own more than RLIMIT_NOFILE sockets, so the probe splits its client side over two.
/// Prints <c>held H failed F</c> (and the first error), then holds until stdin closes (at most 3 min).
/// </summary>
internal static class HoldCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int port = 0, count = 0, firstSource = 20;
        for (int i = 1; i < args.Length - 1; i += 2)
        {
            int value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--port": port = value; break;
                case "--count": count = value; break;
                case "--first-source": firstSource = value; break;
            }
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using IdleConnections idle = await IdleConnections.OpenAsync(new IPEndPoint(IPAddress.Loopback, port), count, firstSource, 8, TimeSpan.FromSeconds(5), deadline.Token).ConfigureAwait(false);
        Console.WriteLine($"held {idle.Held} failed {idle.Failed} first_error {idle.FirstError ?? "-"}");
        try
        {
            await Console.In.ReadLineAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine($"closed {idle.Closed}");
        return 0;
    }
}

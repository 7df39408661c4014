using System.Net.Sockets;

namespace LettaSockets.Testing;

/// <summary>
/// An HTTP handler whose sockets have a fixed, small receive buffer. Linux otherwise grows a loopback
/// socket's receive buffer up to 32 MiB, so a client that stops reading would only back the server up
/// after tens of megabytes; with this it does so after a few kilobytes.
/// </summary>
public static class SmallReceiveBuffer
{
    public static HttpMessageInvoker Invoker(int bytes = 4096) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = bytes };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}

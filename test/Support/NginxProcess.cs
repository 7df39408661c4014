using System.Net;
using System.Net.Sockets;

namespace LettaSockets.Testing;

/// <summary>Debian's nginx as a WebSocket-aware load balancer in front of gateway instances (loopback only).</summary>
public sealed class NginxProcess : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private readonly ChildProcess _process;
    private readonly string _prefix;

    private NginxProcess(ChildProcess process, string prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public static bool IsInstalled => File.Exists(Binary);

    public static async Task<NginxProcess> StartAsync(IEnumerable<int> upstreamPorts)
    {
        string prefix = Directory.CreateTempSubdirectory("lettasockets-nginx-").FullName;
        int port = FreePort();
        string servers = string.Concat(upstreamPorts.Select(p => $"    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;\n"));
        string config = $$"""
            daemon off;
            worker_processes 1;
            error_log stderr notice;
            pid {{prefix}}/nginx.pid;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              upstream gateways {
            {{servers}}  }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://gateways;
                  proxy_http_version 1.1;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection $connection_upgrade;
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_read_timeout 75s;
                  proxy_send_timeout 75s;
                  proxy_buffering off;
                  proxy_connect_timeout 2s;
                  proxy_next_upstream error timeout;
                }
              }
            }
            """;
        string path = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        ChildProcess process = ChildProcess.Start(Binary, ["-p", prefix, "-c", path]);
        try
        {
            await process.WaitForLineAsync("start worker process", TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new AssertFailedException("nginx did not start:\n" + process.Output);
        }

        return new NginxProcess(process, prefix, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

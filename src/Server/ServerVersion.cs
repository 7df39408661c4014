using System.Reflection;

namespace LettaSockets.Server;

/// <summary>The gateway's version as <c>ready.server.version</c> reports it.</summary>
public static class ServerVersion
{
    public static string Value { get; } =
        typeof(ServerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}

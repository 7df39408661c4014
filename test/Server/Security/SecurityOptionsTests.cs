using LettaSockets.Server.Hosting;
using LettaSockets.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Tests.Security;

/// <summary>Auth and limit settings are checked at start-up, every problem reported at once, no key echoed.</summary>
[TestClass]
public sealed class SecurityOptionsTests
{
    [TestMethod]
    public void Invalid_auth_settings_are_all_reported_and_no_key_is_echoed()
    {
        WebApplication app = LettaSocketsApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Auth:ApiKeys:0:Key=short-secret",
            "--Auth:ApiKeys:1:Key=long-enough-key-0123456789",
            "--Auth:ApiKeys:1:Agents:0=../etc",
            "--Auth:ApiKeys:2:Key=long-enough-key-0123456789",
            "--Auth:AllowedOrigins:0=https://chat.example.com/path",
            "--Auth:AllowedOrigins:1=*",
        ]);

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<AuthOptions>>().Value);

        Assert.AreEqual(4, e.Failures.Count(), string.Join("\n", e.Failures));
        StringAssert.Contains(e.Message, "Auth:ApiKeys:0:Key must be at least 16");
        StringAssert.Contains(e.Message, "Auth:ApiKeys:1:Agents:0");
        StringAssert.Contains(e.Message, "Auth:ApiKeys:2:Key repeats");
        StringAssert.Contains(e.Message, "Auth:AllowedOrigins:0");
        Assert.IsFalse(e.Message.Contains("short-secret", StringComparison.Ordinal) || e.Message.Contains("long-enough-key", StringComparison.Ordinal), "keys are never echoed");
    }

    [TestMethod]
    public void Invalid_limits_are_all_reported()
    {
        WebApplication app = LettaSocketsApp.Build(["--urls=http://127.0.0.1:0", "--Limits:MaxConnections=0", "--Limits:MessagesPerMinute=0", "--Limits:ConnectionRetryAfter=00:00:00"]);

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LimitOptions>>().Value);

        Assert.AreEqual(3, e.Failures.Count(), string.Join("\n", e.Failures));
    }

    [TestMethod]
    [DataRow("https://Chat.Example.com", "https://chat.example.com:443")]
    [DataRow("http://localhost:3000/", "http://localhost:3000")]
    [DataRow("*", "*")]
    [DataRow("chat.example.com", null)]
    [DataRow("ftp://chat.example.com", null)]
    [DataRow("https://chat.example.com/app", null)]
    public void Configured_origins_are_normalized(string configured, string? expected) =>
        Assert.AreEqual(expected, OriginPolicy.Normalize(configured));
}

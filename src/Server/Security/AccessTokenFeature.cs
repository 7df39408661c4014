namespace LettaSockets.Server.Security;

/// <summary>The <c>access_token</c> a request carried in its query string, taken out of the query
/// before anything (the hosting request log included) could see it.</summary>
internal sealed class AccessTokenFeature(string token)
{
    public string Token { get; } = token;
}

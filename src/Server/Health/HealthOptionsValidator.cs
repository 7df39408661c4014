using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Health;

/// <summary>Checks <c>Health</c> at start-up: the data annotations on <see cref="HealthOptions"/>, by a
/// validator the options source generator writes.</summary>
[OptionsValidator]
public sealed partial class HealthOptionsValidator : IValidateOptions<HealthOptions>;

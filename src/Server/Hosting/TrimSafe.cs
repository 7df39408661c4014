namespace LettaSockets.Server.Hosting;

/// <summary>Why a trimming warning that Native AOT publishing raises is safe to suppress.</summary>
internal static class TrimSafe
{
    /// <summary>
    /// <c>[Range(typeof(TimeSpan), …)]</c> parses its bounds through a type converter, which trimming may
    /// break. The options are checked only by validators the options source generator writes
    /// (<c>[OptionsValidator]</c>); they compare against bounds parsed at compile time with their own copy
    /// of the attribute, and nothing reads these attributes by reflection.
    /// </summary>
    public const string RangeOfTimeSpan =
        "Checked only by source-generated [OptionsValidator] validators, which never construct this attribute.";
}

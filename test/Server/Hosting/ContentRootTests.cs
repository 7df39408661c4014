using LettaSockets.Server.Hosting;

namespace LettaSockets.Server.Tests.Hosting;

/// <summary>
/// Where the gateway reads <c>appsettings.json</c> from: the working directory when it has one,
/// else the executable's folder, and always a content root the operator names.
/// </summary>
[TestClass]
public sealed class ContentRootTests
{
    private string _root = "";
    private string _working = "";
    private string _binaries = "";

    [TestInitialize]
    public void CreateFolders()
    {
        _root = Directory.CreateTempSubdirectory("lettasockets-contentroot-").FullName;
        _working = Directory.CreateDirectory(Path.Combine(_root, "working")).FullName;
        _binaries = Directory.CreateDirectory(Path.Combine(_root, "binaries")).FullName;
    }

    [TestCleanup]
    public void DeleteFolders() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void A_working_directory_without_settings_falls_back_to_the_executables_folder()
    {
        WriteSettings(_binaries);

        Assert.AreEqual(_binaries, LettaSocketsApp.FindContentRoot([], _working, _binaries));
    }

    [TestMethod]
    public void A_working_directory_with_settings_is_kept()
    {
        WriteSettings(_working);
        WriteSettings(_binaries);

        Assert.IsNull(LettaSocketsApp.FindContentRoot([], _working, _binaries), "the default, the working directory");
    }

    [TestMethod]
    public void With_settings_in_neither_folder_the_default_stays()
    {
        Assert.IsNull(LettaSocketsApp.FindContentRoot([], _working, _binaries));
    }

    [TestMethod]
    [DataRow("--contentRoot=/srv/gateway")]
    [DataRow("--contentRoot", "/srv/gateway")]
    [DataRow("/contentRoot", "/srv/gateway")]
    [DataRow("contentRoot=/srv/gateway")]
    [DataRow("--CONTENTROOT=/srv/gateway")]
    public void A_content_root_on_the_command_line_wins(params string[] args)
    {
        WriteSettings(_binaries);

        Assert.IsNull(LettaSocketsApp.FindContentRoot(args, _working, _binaries), "the builder takes the given one");
    }

    [TestMethod]
    public void Other_arguments_do_not_count_as_a_content_root()
    {
        WriteSettings(_binaries);

        Assert.AreEqual(_binaries, LettaSocketsApp.FindContentRoot(["--urls=http://127.0.0.1:0", "--Letta:BaseUrl=http://127.0.0.1:8283"], _working, _binaries));
    }

    private static void WriteSettings(string folder) => File.WriteAllText(Path.Combine(folder, "appsettings.json"), "{}");
}

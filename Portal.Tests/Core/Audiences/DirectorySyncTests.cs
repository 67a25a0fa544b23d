using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>
/// What can be checked without pulling the power: the folder flush runs (and fails loudly when it cannot open the
/// folder) where it is meant to, and is skipped on Windows. That a flushed rename survives a power cut cannot be.
/// </summary>
public sealed class DirectorySyncTests : DatabaseTest
{
    [Fact]
    public void Flush_AnExistingFolder_DoesNotThrow()
    {
        File.WriteAllText(Path.Combine(Folder.Path, "a.txt"), "a");
        DirectorySync.Flush(Folder.Path);
    }

    [Fact]
    public void Flush_AMissingFolder_ThrowsOnUnixAndIsSkippedOnWindows()
    {
        var missing = Path.Combine(Folder.Path, "not-there");
        if (OperatingSystem.IsWindows())
        {
            DirectorySync.Flush(missing);
            return;
        }

        var ex = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains("errno 2", ex.Message, StringComparison.Ordinal); // ENOENT: open(2) really ran
    }
}

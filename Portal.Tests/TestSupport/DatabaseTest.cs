namespace Portal.Tests.TestSupport;

/// <summary>A test class with its own temporary folder (and so its own SQLite file), removed after each test.</summary>
public abstract class DatabaseTest : IDisposable
{
    protected TestFolder Folder { get; } = new();

    public void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }
}

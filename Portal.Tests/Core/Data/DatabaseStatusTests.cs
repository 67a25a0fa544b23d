using Portal.Core.Data;

namespace Portal.Tests.Core.Data;

public sealed class DatabaseStatusTests
{
    [Fact]
    public void Set_StartingAfterReady_IsIgnored()
    {
        var status = new DatabaseStatus();
        status.Set(DatabaseState.Starting, "Loading demo data: 50%");
        status.Set(DatabaseState.Ready, "Ready");
        status.Set(DatabaseState.Starting, "Loading demo data: 100%");
        Assert.True(status.IsReady);
        Assert.Equal("Ready", status.Message);
    }

    [Fact]
    public void Set_FailedAfterReady_IsKept()
    {
        var status = new DatabaseStatus();
        status.Set(DatabaseState.Ready, "Ready");
        status.Set(DatabaseState.Failed, "Cannot reach the database");
        Assert.Equal(DatabaseState.Failed, status.State);
    }
}

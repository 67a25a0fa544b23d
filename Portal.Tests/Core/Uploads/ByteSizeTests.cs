using Portal.Core.Uploads;

namespace Portal.Tests.Core.Uploads;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData(2L * 1024 * 1024 * 1024, "2 GiB (2,147,483,648 bytes)")]
    [InlineData(3L * 1024 * 1024 * 1024 / 2, "1,536 MiB (1,610,612,736 bytes)")]
    [InlineData(1024 * 1024, "1 MiB (1,048,576 bytes)")]
    [InlineData(64 * 1024, "64 KiB (65,536 bytes)")]
    [InlineData(1024 * 1024 + 1024, "1,025 KiB (1,049,600 bytes)")]
    [InlineData(10_000, "10,000 bytes")]
    [InlineData(0, "0 bytes")]
    public void Describe_Size_WholeUnitsWithTheExactBytes(long bytes, string expected) =>
        Assert.Equal(expected, ByteSize.Describe(bytes));
}

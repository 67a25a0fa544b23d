using System.Text;
using Portal.Core.Uploads;

namespace Portal.Tests.Core.Uploads;

public sealed class CheckedUtf8StreamTests
{
    /// <summary>Hands out a few bytes per read, so that characters are split across reads.</summary>
    private sealed class Trickle(byte[] bytes, int step) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(step, buffer.Length)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(step, buffer.Length)], cancellationToken);
    }

    private static async Task<string> ReadAllAsync(byte[] bytes, int step)
    {
        await using var checkedStream = new CheckedUtf8Stream(new Trickle(bytes, step));
        using var reader = new StreamReader(checkedStream, CheckedUtf8Stream.Encoding, false);
        var text = await reader.ReadToEndAsync();
        await checkedStream.ReadToEndAsync(CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), checkedStream.Checksum);
        Assert.Equal(bytes.Length, checkedStream.BytesRead);
        return text;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Read_MultibyteCharactersSplitAcrossReads_PassesAndHashesEveryByte(int step)
    {
        const string text = "a,b\né,日本\n🙂,Zoë\n";

        Assert.Equal(text, await ReadAllAsync(Encoding.UTF8.GetBytes(text), step));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public async Task Read_InvalidByte_StopsNamingItsLine(int step)
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\n3,").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\n")).ToArray();

        var ex = await Assert.ThrowsAsync<ImportRejectedException>(() => ReadAllAsync(bytes, step));

        Assert.Equal((ImportRejection.Encoding, 3L), (ex.Reason, ex.Line));
        Assert.StartsWith("line 3: the file is not UTF-8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_FileEndingInsideACharacter_IsRejected()
    {
        var bytes = Encoding.UTF8.GetBytes("a\n\n日").SkipLast(1).ToArray();

        var ex = await Assert.ThrowsAsync<ImportRejectedException>(() => ReadAllAsync(bytes, 2));

        Assert.Equal("line 3: the file is not UTF-8 (the file ends inside a character); save it as UTF-8 and upload it again", ex.Message);
    }
}

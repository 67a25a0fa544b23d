using System.IO.Pipelines;
using System.Text;
using Portal.Core.Adtech.Sandbox;

namespace Portal.Tests.Core.Adtech.Sandbox;

public sealed class SandboxBodyTests
{
    /// <summary>Reads <paramref name="json"/> as it would stream in, <paramref name="chunk"/> bytes at a time.</summary>
    private static async Task<(SandboxBody? Body, string? Error)> ReadAsync(string json, int chunk = 7)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var reading = SandboxBody.ReadAsync(pipe.Reader, CancellationToken.None);
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
        }

        await pipe.Writer.CompleteAsync();
        return await reading;
    }

    [Fact]
    public async Task ReadAsync_BodyInSmallChunks_KeepsPropertiesOfTheBodyAndItsObjectsAndCountsTheirArrays()
    {
        var (body, error) = await ReadAsync("""
            {"name":"Demo \u00e9","expiration":300,"schema":["EMAIL","PHONE","ZIP"],
             "data":[[["e1"],["p1"],[]],[[],[],["z2"]]],
             "payload":{"data":[["a","b","c"],["d","e","f"],["g","h","i"]],"deep":{"data":[1,2]}},
             "ratio":1.5,"members":{"not":"an array"}}
            """);

        Assert.Null(error);
        Assert.True(body!.Has("name"));
        Assert.Equal("Demo é", body.Text("name"));
        Assert.Equal(300, body.Int32("expiration"));
        Assert.Equal(3, body.ArrayLength("schema"));
        Assert.Equal(2, body.ArrayLength("data"));
        Assert.Equal(3, body.ArrayLength("payload.data"));
        Assert.True(body.Has("payload.deep"));
        Assert.False(body.Has("payload.deep.data")); // deeper than kept
        Assert.Null(body.Int32("ratio"));
        Assert.Null(body.ArrayLength("members"));
        Assert.Equal("", body.Text("expiration"));
        Assert.False(body.Has("missing"));
    }

    [Theory]
    [InlineData("", "Body is not JSON")]
    [InlineData("{\"name\":", "Body is not JSON")]
    [InlineData("{\"name\":\"x\"} trailing", "Body is not JSON")]
    [InlineData("{'name':'x'}", "Body is not JSON")]
    [InlineData("[{\"name\":\"x\"}]", "Body must be a JSON object")]
    [InlineData("\"text\"", "Body must be a JSON object")]
    public async Task ReadAsync_NotAJsonObject_SaysWhy(string json, string expected)
    {
        var (body, error) = await ReadAsync(json);

        Assert.Null(body);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}

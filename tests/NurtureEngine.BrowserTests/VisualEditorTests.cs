using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// Issue 19's story: a marketer builds an email from blocks in the visual editor, previews it at
/// desktop and mobile width, cannot delete the compliance footer, saves, and a lead gets it at the
/// SMTP sink with CSS inlined, the button tracked and the unsubscribe footer present.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class VisualEditorTests(BrowserFixture browser)
{
    private const string Marketer = "designer@nurture.test";
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    private static readonly byte[] Gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    [Fact]
    public async Task Marketer_BuildsAnEmailFromBlocks_CannotDeleteTheFooter_AndALeadGetsItInlinedAndTracked()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?> { ["Smtp:Host"] = "127.0.0.1" });
        await s.CreateUserAsync(Marketer, "Marketer");
        var page = await s.SignInAsync(Marketer);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(s.Url("/templates"));
        await page.FillAsync("#key", "spring-launch");
        await page.ClickAsync("button:has-text('Create')");
        await Expect(page.Locator("#visual-editor[data-ready=true]")).ToHaveCountAsync(1);
        await page.FillAsync("#subject", "Spring is here, {{ lead.first_name }}");
        await Expect(page.Locator("#layout")).ToHaveValueAsync("branded");
        var canvas = page.FrameLocator("#visual-canvas iframe.gjs-frame");

        // Heading, greeting with the lead's first name, button, two columns: each block clicked in.
        await Block(page, "Heading").ClickAsync();
        await canvas.Locator("h1").DblClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("Our spring launch");
        await Block(page, "Greeting (first name)").ClickAsync();
        await Block(page, "Text").First.ClickAsync();
        await Block(page, "Button").ClickAsync();
        await Block(page, "Two columns").ClickAsync();

        // An image in each column, uploaded through the editor's asset manager.
        foreach (var (index, bytes, name) in new[] { (0, Png, "left.png"), (1, Gif, "right.gif") })
        {
            await canvas.Locator("td.column").Nth(index).ClickAsync();
            await Block(page, "Image").ClickAsync();
            var upload = await page.RunAndWaitForResponseAsync(
                () => page.Locator(".gjs-am-file-uploader input[type=file]").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "application/octet-stream", Buffer = bytes }),
                r => r.Url.Contains("handler=UploadImage"));
            var body = await upload.TextAsync();
            Assert.True(upload.Ok, $"upload {upload.Status}: {body}");
            var id = ImageId().Match(body).Groups[1].Value;
            await Expect(page.Locator($".gjs-am-asset:has(.gjs-am-preview[style*='{id}'])")).ToHaveCountAsync(1);
            // The uploaded picture is placed into the new image (checked on the editor's model: under
            // the test host the public base URL does not resolve, so the canvas shows GrapesJS's fallback).
            await page.WaitForFunctionAsync("id => window.nurtureEditor.getWrapper().find('td.column img').some(c => String(c.get('src')).includes(id))", id);
            if (await page.Locator(".gjs-mdl-container").IsVisibleAsync()) await page.Locator(".gjs-mdl-btn-close").ClickAsync();
        }
        await page.WaitForFunctionAsync("() => window.nurtureEditor.getWrapper().find('td.column img').filter(c => String(c.get('src')).includes('/i/')).length === 2");

        // The footer cannot be deleted: selected and Delete pressed, it stays and the editor says why.
        await canvas.Locator("[data-nurture-footer]").ClickAsync(new() { Position = new() { X = 5, Y = 5 } });
        await page.Keyboard.PressAsync("Delete");
        await Expect(canvas.Locator("[data-nurture-footer]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#editor-notice")).ToContainTextAsync("cannot be deleted");
        await page.EvaluateAsync("() => window.nurtureEditor.runCommand('core:component-delete')");
        await Expect(canvas.Locator("[data-nurture-footer]")).ToHaveCountAsync(1);

        // The editor's own device switch shows the canvas at 375 px and back at 640 px.
        await page.ClickAsync("#device-mobile");
        await page.WaitForFunctionAsync("() => document.querySelector('#visual-canvas iframe.gjs-frame').getBoundingClientRect().width === 375");
        await page.ClickAsync("#device-desktop");
        await page.WaitForFunctionAsync("() => document.querySelector('#visual-canvas iframe.gjs-frame').getBoundingClientRect().width === 640");

        // Previewed on the server, desktop and mobile: the columns sit side by side at 640 px and stack at 375 px.
        await page.ClickAsync("button:has-text('Check and preview')");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Spring is here, Ada");
        foreach (var frame in new[] { "iframe.desktop", "iframe.mobile" })
        {
            await Expect(page.FrameLocator(frame).Locator("body")).ToContainTextAsync("Hi Ada,");
            await Expect(page.FrameLocator(frame).Locator("h1")).ToHaveTextAsync("Our spring launch");
        }
        var desktopCells = await Boxes(page.FrameLocator("iframe.desktop").Locator("td.column"));
        var mobileCells = await Boxes(page.FrameLocator("iframe.mobile").Locator("td.column"));
        Assert.True(desktopCells[1].X > desktopCells[0].X + 100, "desktop: two columns side by side");
        Assert.Equal(mobileCells[0].X, mobileCells[1].X, 1.0);
        Assert.True(mobileCells[1].Y > mobileCells[0].Y, "mobile: the second column under the first");
        // The dark-mode preview applies the layout's prefers-color-scheme rules; the light previews do not.
        Assert.Equal("rgb(255, 255, 255)", await CardBackground(page, "iframe.desktop"));
        Assert.Equal("rgb(28, 33, 40)", await CardBackground(page, "iframe.dark"));
        await Expect(page.Locator("#lint")).ToBeVisibleAsync();
        await s.ScreenshotAsync(page, "preview");

        // The visual build reads as Scriban in the code view, without the footer (the server adds it).
        await page.ClickAsync("#tab-code");
        var source = await page.InputValueAsync("#html");
        Assert.Contains("{{ lead.first_name }}", source);
        Assert.DoesNotContain("data-nurture-footer", source);
        Assert.DoesNotMatch(InlinedHeading(), source);                // the heading's look is a rule in the <style> block ...
        Assert.Matches(HeadingRule(), source);
        await page.ClickAsync("#tab-visual");
        await page.ClickAsync("button:has-text('Save new version')");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Saved as version 1");
        await Expect(page.Locator("#visual-editor[data-ready=true]")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => window.nurtureEditor.getWrapper().find('td.column img').filter(c => String(c.get('src')).includes('/i/')).length === 2");
        Assert.Empty(errors);

        // A lead entering the pipeline gets it at the SMTP sink.
        await s.App.QuietDemoSequencesAsync();
        (await s.App.Api().PutAsJsonAsync("/api/v1/sequences/spring", JsonNode.Parse("""
            { "name": "Spring", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "launch", "type": "email", "template": "spring-launch" } ] }
            """))).EnsureSuccessStatusCode();
        await s.App.CreateLeadAsync(new { email = "grace.blocks@example.com", firstName = "Grace", stage = "lead" });
        var mail = (await MailSink.WaitForAsync("grace.blocks@example.com")).Single().Message;
        Assert.Equal("Spring is here, Grace", mail.Subject);
        var html = mail.HtmlBody!;
        Assert.Contains("Hi Grace,", html);
        Assert.Matches(InlinedHeading(), html);                       // ... which the lead gets inlined on the element
        Assert.Matches(TrackedButton(), html);                        // the button goes through the click tracker
        Assert.Contains("Unsubscribe or manage your preferences", html);
        Assert.Matches(UnsubscribeLink(), html);
        Assert.Equal(2, Regex.Matches(html, "<img[^>]+src=\"[^\"]*/i/[0-9a-f]{32}\"").Count);
        var text = (mail.TextBody ?? "").Replace("\r", "");           // the text part reads as paragraphs, without the editor's CSS
        Assert.Contains("Our spring launch\n\nHi Grace,\n\n", text);
        Assert.Matches(@"\nCall to action \(https://example\.com/?\)\n", text);
        Assert.DoesNotContain("font-size", text);
        Assert.Contains("Unsubscribe: ", text);

        // The uploaded image is public and cached.
        var src = Regex.Match(html, "src=\"([^\"]*/i/[0-9a-f]{32})\"").Groups[1].Value;
        using var anonymous = new HttpClient();
        var image = await anonymous.GetAsync(s.Url(new Uri(src).AbsolutePath));
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", image.Headers.CacheControl!.ToString());
    }

    private static ILocator Block(IPage page, string label) =>
        page.Locator("#visual-blocks .gjs-block").Filter(new() { Has = page.Locator(".gjs-block-label", new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(label)}\\s*$") }) });

    private static Task<string> CardBackground(IPage page, string frame) =>
        page.FrameLocator(frame).Locator(".email-card").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    private static async Task<List<LocatorBoundingBoxResult>> Boxes(ILocator cells)
    {
        var boxes = new List<LocatorBoundingBoxResult>();
        for (var i = 0; i < await cells.CountAsync(); i++) boxes.Add((await cells.Nth(i).BoundingBoxAsync())!);
        Assert.Equal(2, boxes.Count);
        return boxes;
    }

    [GeneratedRegex("/i/([0-9a-f]{32})")] private static partial Regex ImageId();
    [GeneratedRegex("<h1[^>]*style=\"[^\"]*font-size: ?26px")] private static partial Regex InlinedHeading();
    [GeneratedRegex("<style>[^<]*\\{[^}]*font-size: ?26px")] private static partial Regex HeadingRule();
    [GeneratedRegex("<a[^>]+href=\"[^\"]*/t/c/[^\"]+\"[^>]*>\\s*Call to action")] private static partial Regex TrackedButton();
    [GeneratedRegex("<a[^>]+href=\"[^\"]*/u/[^\"]+\"[^>]*>Unsubscribe or manage your preferences")] private static partial Regex UnsubscribeLink();
}

using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Sales;

/// <summary>
/// Demo sales data (Nurture:SeedDemoSales, on in Development): a B2B deal pipeline and a B2C one, three
/// companies with a few leads each, and deals spread over the stages, so the board and the sales
/// report have something to show on a fresh install.
/// </summary>
public sealed class SalesDemoSeeder(NurtureDbContext db, PipelineService pipelines, CompanyService companies, LeadService leads, DealService deals)
{
    public async Task SeedIfEmptyAsync(CancellationToken ct)
    {
        if (await db.Pipelines.AnyAsync(p => p.Object == PipelineObject.Deal, ct) || !await db.Pipelines.AnyAsync(ct)) return;
        await pipelines.PutAsync("b2b", new PipelineInput
        {
            Name = "B2B deals", Object = "deal",
            Stages =
            [
                new() { Key = "discovery", Name = "Discovery", Probability = 10, Kind = "open" },
                new() { Key = "demo", Name = "Demo", Probability = 30, Kind = "open" },
                new() { Key = "proposal", Name = "Proposal", Probability = 60, Kind = "open" },
                new() { Key = "negotiation", Name = "Negotiation", Probability = 80, Kind = "open" },
                new() { Key = "won", Name = "Closed won", Probability = 100, Kind = "won" },
                new() { Key = "lost", Name = "Closed lost", Probability = 0, Kind = "lost" },
            ],
        }, ct);
        await pipelines.PutAsync("b2c", new PipelineInput
        {
            Name = "B2C orders", Object = "deal",
            Stages =
            [
                new() { Key = "trial", Name = "Trial", Probability = 20, Kind = "open" },
                new() { Key = "checkout", Name = "Checkout", Probability = 70, Kind = "open" },
                new() { Key = "paid", Name = "Paid", Probability = 100, Kind = "won" },
                new() { Key = "abandoned", Name = "Abandoned", Probability = 0, Kind = "lost" },
            ],
        }, ct);
        (string Name, string Domain, string[] People)[] demo =
        [
            ("Analytical Engines", "analytical-engines.example", ["ada", "charles"]),
            ("Difference Works", "difference-works.example", ["grace", "alan"]),
            ("Jacquard Looms", "jacquard.example", ["joseph"]),
        ];
        var amounts = new[] { 12000m, 8500m, 30000m, 4200m, 15000m };
        var b2bStages = new[] { "discovery", "demo", "proposal", "negotiation", "won" };
        var i = 0;
        foreach (var (name, domain, people) in demo)
        {
            await companies.UpsertAsync(new CompanyInput { Name = name, Domain = domain }, ct);
            foreach (var person in people)
            {
                var lead = (await leads.UpsertAsync(new LeadInput { Email = $"{person}@{domain}", FirstName = char.ToUpperInvariant(person[0]) + person[1..], Source = i % 2 == 0 ? "webinar" : "website" }, StageChangeCause.Created, ct)).Lead;
                await deals.CreateAsync(new DealInput
                {
                    Name = $"{name}: {person}'s team", LeadId = lead.Id.ToString(), Pipeline = "b2b", Stage = b2bStages[i % b2bStages.Length],
                    Amount = amounts[i % amounts.Length], Currency = "EUR", CloseDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(20 + 15 * i)),
                }, StageChangeCause.Created, ct);
                i++;
            }
        }
        foreach (var (person, stage) in new[] { ("maria", "trial"), ("li", "checkout"), ("sam", "paid") })
        {
            var lead = (await leads.UpsertAsync(new LeadInput { Email = $"{person}@gmail.com", FirstName = char.ToUpperInvariant(person[0]) + person[1..], Source = "shop" }, StageChangeCause.Created, ct)).Lead;
            await deals.CreateAsync(new DealInput { Name = $"{lead.FirstName}: annual plan", LeadId = lead.Id.ToString(), Pipeline = "b2c", Stage = stage, Amount = 99m, Currency = "EUR" }, StageChangeCause.Created, ct);
        }
    }
}

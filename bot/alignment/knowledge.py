"""General business knowledge the default tagger starts with.

Leadership states objectives in outcome language ("grow new-logo revenue", "increase
margins"); teams report in work language ("booked 6 discovery calls", "cut the agency
retainer"). This module bridges the two with vocabulary any B2B company shares and no
single company owns:

- CONCEPTS: a work concept, the phrases that signal it, and the business themes it
  serves. Objectives and updates are both read into concepts; an update serves an
  objective directly when they share a concept, and less strongly when they share
  only a theme.
- SEGMENTS: who the work is for (industries, company sizes, regions). An objective
  named after a segment fires on the industry's own words (banks, insurers, credit
  unions for financial services).
- Word lists the tagger ignores or discounts when it compares words literally.

Trigger syntax: phrases separated by commas, matched on lightly stemmed words in
order; `#` stands for any number; a trailing `~` marks a weak (ambiguous) trigger.
"""

from __future__ import annotations

# Themes: the handful of outcomes business objectives are about.
NEW = "new_business"  # pipeline, new customers, new revenue
RETAIN = "retention"  # keeping customers, their success and satisfaction
EXPAND = "expansion"  # upsell, deal size, revenue per customer
EFFICIENT = "efficiency"  # costs, margins, payback, productivity
SHARE = "market_share"  # winning against competitors and in new markets
AWARE = "awareness"  # brand, reach, thought leadership
PRODUCT = "product"  # shipping product
PEOPLE = "people"  # hiring, enablement, culture
PARTNER = "partners"  # channel and alliances
# Operating outcomes of companies that move, make, lend, host or repair things.
RELIABLE = "reliability"  # on time, up and running
QUALITY = "quality"  # right first time: no damage, defects or claims
COMPLY = "compliance"  # audits, exams, regulation
STOCK = "inventory"  # what sits on shelves, lots and floorplan
UTILISE = "utilisation"  # full trucks, rooms, machines and shifts
DIRECT = "direct_channel"  # customers who come to you, not through a middleman
AFTERSALES = "aftersales"  # parts, service and service contracts
LENDING = "lending"  # loans and their quality
DEPOSITS = "deposits"  # primary accounts, deposits and cards

THEME_LABELS = {
    NEW: "new business",
    RETAIN: "customer retention",
    EXPAND: "expansion",
    EFFICIENT: "efficiency",
    SHARE: "market share",
    AWARE: "awareness",
    PRODUCT: "product",
    PEOPLE: "people",
    PARTNER: "partners",
    RELIABLE: "reliability",
    QUALITY: "quality",
    COMPLY: "compliance",
    STOCK: "inventory",
    UTILISE: "utilisation",
    DIRECT: "direct channel",
    AFTERSALES: "parts and service",
    LENDING: "lending",
    DEPOSITS: "deposits",
}

# concept id: (label shown in explanations, {theme: weight}, triggers)
CONCEPTS: dict[str, tuple[str, dict[str, float], str]] = {
    "revenue": (
        "revenue",
        {NEW: 0.9, EXPAND: 0.7, SHARE: 0.3},
        """
        revenue, revenues, arr, mrr, annual recurring revenue, monthly recurring revenue,
        recurring revenue, new arr, net new arr, bookings, top line, topline, run rate,
        quota, quota attainment, sales target, sales targets, gmv, income~, sales growth,
        on the books, booked revenue
    """,
    ),
    "new_logo": (
        "new customers",
        {NEW: 1.0, SHARE: 0.5},
        """
        new logo, new logos, new customer, new customers, new client, new clients,
        net new, new account, new accounts, new business, first customer, first customers,
        customer acquisition, acquire customers, acquired customers, greenfield, landed~
    """,
    ),
    "closing": (
        "closed deal",
        {NEW: 1.0, SHARE: 0.4, EXPAND: 0.2},
        """
        closed won, closed deal, closed deals, close the deal, closed, closing~, close~,
        won, win~, wins~, signed, signing, sign~, signed contract, contract signed,
        purchase order, procurement, verbal commit, technical win, order form, redlines,
        negotiation, negotiating, deal~, deals~, new deal, new deals, bought~, purchased~,
        went with us, chose us, selected us
    """,
    ),
    "pipeline": (
        "pipeline",
        {NEW: 1.0},
        """
        pipeline, pipe, opportunity, opportunities, opp, opps, qualified opportunity,
        qualified opportunities, sql, sqls, sales qualified, sales accepted, qualified~,
        first meeting, first meetings, intro meeting, intro call, intro calls, meeting~,
        meetings~, meeting booked, meetings booked, booked meeting, booked meetings,
        discovery call, discovery calls, discovery~, demo, demos, demoed, demo request,
        demo requests, proof of concept, poc, pilot~, rfp, rfps, rfi, tender, tenders,
        shortlist, shortlisted, evaluation~, follow up, follow-up, follow ups, forecast,
        forecasts, forecast review, deal review, pipeline review, prospect, prospects,
        prospecting, prospected, buyer~, buyers~, decision maker, decision makers,
        sourced, pipeline generation, funnel, top of funnel, asked for a call,
        requested a call, requested a demo
    """,
    ),
    "lead_gen": (
        "lead generation",
        {NEW: 0.9, AWARE: 0.3},
        """
        leads, new leads, inbound lead, inbound leads, qualified lead, qualified leads,
        mql, mqls, marketing qualified, inbound, demand gen, demand generation, lead gen,
        lead generation, signups, sign ups, registrations, registrants, downloads~,
        download~, gated, form fills, contact requests, conversion rate, landing page,
        content syndication, intent data, nurture, nurture sequence, hand raisers,
        attendees~, sign up~
    """,
    ),
    "outbound": (
        "outbound prospecting",
        {NEW: 1.0},
        """
        outbound, cold call, cold calls, cold calling, cold email, cold emails, outreach,
        sequence~, sequences~, cadence~, sdr, sdrs, bdr, bdrs, target accounts,
        target account list, account list
    """,
    ),
    "abm": (
        "account-based marketing",
        {NEW: 1.0},
        """
        abm, account based, account based marketing, target account, personalized ads,
        personalised ads, direct mail, intent signals
    """,
    ),
    "events": (
        "events",
        {NEW: 0.55, AWARE: 0.7},
        """
        event, events, conference, conferences, trade show, trade shows, tradeshow,
        tradeshows, expo, booth, roundtable, roundtables, round table, executive dinner,
        dinner~, field event, field events, field marketing, meetup, meetups, summit,
        webinar, webinars, workshop~, workshops~, breakfast~, lunch and learn, keynote,
        speaking slot, spoke at, speaking at, presented at, talk at, panel~,
        user conference, sponsored~, sponsorship~,
        sponsorships~
    """,
    ),
    "campaign": (
        "campaigns",
        {NEW: 0.5, AWARE: 0.6},
        """
        campaign, campaigns, paid ads, ads~, advertising, paid search, paid social, ppc,
        sem, google ads, linkedin ads, email campaign, launch campaign, newsletter,
        sponsored content, promotion~, promo~, retargeting
    """,
    ),
    "content": (
        "content marketing",
        {AWARE: 0.7, NEW: 0.4},
        """
        content~, blog, blog post, blog posts, article, articles, ebook, ebooks, e book,
        whitepaper, whitepapers, white paper, guide~, report~, benchmark report,
        research report, infographic, video~, videos~, podcast, podcasts, seo,
        organic traffic, website traffic, web traffic, thought leadership, byline, op ed
    """,
    ),
    "awareness": (
        "brand awareness",
        {AWARE: 1.0},
        """
        awareness, brand awareness, share of voice, press, press release, pr,
        media coverage, journalist, journalists, analyst relations, analyst briefing,
        gartner, forrester, idc, social media, followers, impressions, reach~, brand lift,
        mentions~, earned media, award~, awards~, brand~, visibility, recognition~,
        best known, well known, household name, name recognition, top of mind, mindshare,
        known for, go to name, quoted in, quoted~, featured in, interviewed by, coverage~,
        analyst report, analyst reports, linkedin~, visitors~, traffic~, audience~
    """,
    ),
    "brand_identity": (
        "brand design",
        {AWARE: 0.3},
        """
        brand guide, brand guidelines, brand colours, brand colors, brand colour,
        brand color, colours, colors, colour palette, color palette, font, fonts,
        typography, logo refresh, new logo design, rebrand, rebranding, visual identity,
        brand refresh, style guide, slide template, deck template, design system~, icons~
    """,
    ),
    "competitive": (
        "competitive win",
        {SHARE: 1.0, NEW: 0.5},
        """
        competitor, competitors, competitive, competition, compete, competing, battlecard,
        battlecards, battle card, battle cards, displace, displaced, displacing,
        displacement, rip and replace, switched from, switch from, switching from,
        migrated from, took out~, takeout, head to head, bake off, bakeoff, win rate,
        win rates, win loss, loss analysis, market share, share of market, category leader,
        market leader, vendor of choice, incumbent, incumbents, positioning~,
        differentiation, differentiator, versus~, vs~
    """,
    ),
    "churn": (
        "churn and renewals",
        {RETAIN: 1.0},
        """
        churn, churned, churning, churn risk, retention, retain, retained,
        gross retention, logo retention, grr, renewal, renewals, renew, renewed, renewing,
        cancellation, cancellations, cancel request, at risk, risk account,
        saved the account, save call, win back, winback, downgrade, downgrades,
        contraction, non renewal, keep customers, keep our customers, customer retention,
        attrition~, stay~, lost customer, lost customers, from cancelling, from canceling,
        who cancelled, who canceled, customers cancelled, customers canceled, cancelled their,
        canceled their, exit interview, exit interviews, exit survey, leaving customers,
        at risk of leaving, about to leave, inactive accounts, inactive users, stopped using,
        didn t log in, not logged in, dormant accounts, health score, health scores
    """,
    ),
    "onboarding": (
        "onboarding",
        {RETAIN: 1.0},
        """
        onboarding, onboard, onboarded, implementation, implementations, implemented,
        go live, went live, are live, is live, now live, live~, activation, activated,
        kickoff~, setup~, set up~, configuration~, deployment~, deployed~, rollout~,
        time to value, ttv, first value, handover, hand over, handoff~, admin training,
        customer training, user training, training~, getting started, welcome email,
        welcome emails, migration~, stuck~
    """,
    ),
    "adoption": (
        "adoption and usage",
        {RETAIN: 1.0, EXPAND: 0.3},
        """
        adoption, usage, active users, daily active, monthly active, dau, mau,
        engagement~, login~, logins~, feature adoption, health score, health scores,
        health check, health checks, health review, customer health, account health, qbr,
        qbrs, quarterly business review, business review, business reviews, ebr,
        success plan, success plans, customer success, csm, csms, check in~, check ins~,
        in app~, in product~, product tour, account review~, account reviews~
    """,
    ),
    "satisfaction": (
        "customer satisfaction",
        {RETAIN: 1.0},
        """
        nps, net promoter, csat, satisfaction, satisfied, customer satisfaction, survey~,
        surveys~, feedback, customer feedback, delight, delighted, love~, love us, loves us,
        love our product, love the product, customer love, happy~,
        happiness, loyalty, loyal, customer experience, cx, sentiment, complaint,
        complaints, detractor, detractors, promoter, promoters, reviews~, g2, trustpilot,
        capterra, voice of the customer, customer advisory board, advisory board,
        user group, user groups, community~
    """,
    ),
    "support": (
        "support",
        {RETAIN: 0.9, EFFICIENT: 0.3},
        """
        support ticket, support tickets, ticket~, tickets~, response time, first response,
        resolution time, time to resolution, sla, slas, escalation, escalations,
        help center, help centre, knowledge base, help docs, faq, customer support,
        support queue, support team, bug fix~, bug fixes~
    """,
    ),
    "advocacy": (
        "customer references",
        {RETAIN: 0.8, NEW: 0.3},
        """
        reference, references, referenceable, reference customer, reference customers,
        reference program, reference call, reference calls, advocate, advocates, advocacy,
        referral, referrals, testimonial~, testimonials~, case study~, case studies~,
        customer story~, customer stories~
    """,
    ),
    "upsell": (
        "upsell",
        {EXPAND: 1.0, NEW: 0.2},
        """
        upsell, upsells, upsold, upselling, up sell, up sold, cross sell, cross sold,
        cross selling, add on, add ons, addon, addons, attach~, attach rate,
        attach rates, upgrade, upgraded, upgrades, upgrading, premium tier, higher tier,
        higher plan, enterprise plan, enterprise tier, enterprise edition, expansion deal,
        expansion revenue, expand the account, land and expand, whitespace, white space,
        additional module, new module, module~, modules~, additional product,
        second product, more seats, add seats, added seats, add # seats, added # seats,
        added # more seats, # more seats, seat expansion, wallet share, share of wallet,
        existing accounts, existing customers, existing account, existing customer,
        installed base, install base, customer base~
    """,
    ),
    "nrr": (
        "net revenue retention",
        {EXPAND: 1.0, RETAIN: 1.0},
        """
        nrr, ndr, net revenue retention, net dollar retention, net retention
    """,
    ),
    "deal_size": (
        "deal size",
        {EXPAND: 1.0, NEW: 0.3},
        """
        deal size, deal sizes, average deal, average deal size, bigger deal, bigger deals,
        larger deal, larger deals, deal grew, deal value, contract value, acv, tcv, asp,
        average selling price, average contract value, arpu, arpa, revenue per customer,
        revenue per account, multi year, multiyear, two year, three year, five year,
        # year term, # year deal, # year contract, # year agreement, multi product,
        multiproduct, bundle, bundles, bundled, bundling, package~, packages~,
        platform deal, suite~, price increase, price uplift, uplift~, larger contract,
        bigger contract
    """,
    ),
    "pricing": (
        "pricing",
        {EXPAND: 0.6, EFFICIENT: 0.5},
        """
        pricing, price~, prices~, pricing page, price list, packaging, monetization,
        monetisation, pricing model
    """,
    ),
    "seats": (
        "seats and licences",
        {EXPAND: 1.0},
        """
        seat, seats, license~, licenses~, licence~, licences~, users~
    """,
    ),
    "discount": (
        "discounting",
        {EFFICIENT: 1.0, EXPAND: 0.4},
        """
        discount, discounts, discounting, discounted, discount authority,
        discount approval, discount approvals, deal desk, concession, concessions,
        rebate, rebates, held the price, hold the price, held price, price discipline,
        pricing discipline, list price, full price
    """,
    ),
    "margin": (
        "margins",
        {EFFICIENT: 1.0},
        """
        margin, margins, gross margin, operating margin, contribution margin,
        profitability, profitable, profit, profits, break even, breakeven, cash flow positive,
        free cash flow, ebitda, cogs, cost of goods,
        cost of goods sold, cost of sales, unit economics, unit cost, cost to serve,
        hosting cost, hosting costs, hosting bill, cloud cost, cloud costs, cloud spend,
        cloud bill, infrastructure cost, infrastructure costs, aws bill, compute cost
    """,
    ),
    "cost": (
        "costs and spend",
        {EFFICIENT: 1.0},
        """
        cost, costs, spend, spending, spent~, budget, budgets, expense~, expenses~,
        overhead, opex, operating cost, operating costs, operating expenses, savings~,
        saving~, save money, saved money, cheaper, cost reduction, cost cutting, cut costs,
        reduce costs, lower costs, renegotiate, renegotiated, renegotiation, consolidate,
        consolidated, consolidation, vendor consolidation, tool consolidation,
        annual plan~, annual billing~, unused, unused licenses, unused licences,
        unused tools, retainer~, agency fees, burn, burn rate, runway, hiring freeze,
        headcount freeze, reallocate, reallocated, reinvest, reinvested, moving spend,
        moved spend, shift spend, shifted spend, shifted budget, roi, return on investment,
        efficient, efficiently, efficiency, waste, wasted, lease~, invoice~, invoices~
    """,
    ),
    "cac": (
        "acquisition cost and payback",
        {EFFICIENT: 1.0, NEW: 0.2},
        """
        cac, customer acquisition cost, acquisition cost, acquisition costs, payback,
        payback period, cac payback, cost per lead, cpl, cost per opportunity,
        cost per acquisition, cpa, cost per click, cpc, cost per meeting, roas,
        return on ad spend, ltv, lifetime value, magic number, marketing efficiency,
        sales efficiency, attribution, attributed~
    """,
    ),
    "productivity": (
        "productivity",
        {EFFICIENT: 0.8},
        """
        productivity, productive, automation, automate, automated, automating,
        streamline, streamlined, manual work, manual process, manual processes,
        self serve~, self service~, deflect, deflected, deflection, hours saved,
        time saved, chatbot~
    """,
    ),
    "people": (
        "hiring and team",
        {PEOPLE: 1.0},
        """
        hire, hired, hiring, recruit, recruiting, recruited, recruiter, candidate,
        candidates, interview, interviews, interviewed, job posting, job description,
        careers page, careers site, career site, careers, employer brand, headcount plan,
        new hire, new hires, new rep, new reps, ramp~, ramping~, employee~, employees~,
        culture, team building, engagement survey, performance review,
        performance reviews, coaching, mentoring, mentored, sales training, rep training,
        enablement, sales enablement, territory plan, territory plans, territory planning,
        comp plan, compensation, commission~, morale, employee retention, team photos,
        headshots
    """,
    ),
    "product": (
        "product",
        {PRODUCT: 1.0},
        """
        launch~, launched~, release~, released~, shipped, ship~, feature~, features~,
        roadmap, beta, general availability, integration~, integrations~, api~, sdk,
        mobile app, new version, prototype, mvp, product launch, product release
    """,
    ),
    "partners": (
        "partners and channel",
        {PARTNER: 1.0, NEW: 0.4},
        """
        partner, partners, partnered, partnership, partnerships, reseller, resellers,
        resell, channel partner, channel partners, var, msp, msps, mssp, distributor,
        distributors, alliance, alliances, system integrator, system integrators,
        marketplace, marketplaces, aws marketplace, azure marketplace, co sell, co selling,
        co marketing, referral partner, referral partners, technology partner, isv
    """,
    ),
    "new_market": (
        "new markets",
        {SHARE: 0.8, NEW: 0.6},
        """
        new market, new markets, new region, new regions, new country, new countries,
        localization, localisation, localized, localised, translated~, international,
        internationally, global expansion, market entry, entered the, expansion into,
        expand into, expanding into, launch in, launched in
    """,
    ),
    "self_serve": (
        "self-serve funnel",
        {NEW: 0.7},
        """
        free trial, free trials, trial~, trials~, freemium, free plan, trial conversion,
        paid conversion, plg, product led, activation rate
    """,
    ),
    # Operations vocabulary shared by logistics, hospitality, finance, manufacturing,
    # retail, healthcare and dealers: no single industry owns these words.
    "on_time": (
        "on-time delivery",
        {RELIABLE: 1.0, RETAIN: 0.3},
        """
        on time, on time delivery, on time performance, ontime, otd, otp, late, lateness,
        late delivery, late deliveries, late loads, late shipments, delay, delays, delayed,
        day late, missed pickup, missed pickups, missed appointment, delivery appointment,
        delivery window, delivery windows, eta, etas, lead time, lead times, transit time,
        transit times, turnaround~, schedule adherence, service failure, service failures,
        missed delivery, missed deliveries, recovery driver~, on schedule, behind schedule
    """,
    ),
    "uptime": (
        "uptime and repairs",
        {RELIABLE: 1.0, AFTERSALES: 0.4, RETAIN: 0.3},
        """
        downtime, uptime~, down time, breakdown, breakdowns, broke down, broken down, repair~,
        repairs~, repaired~, field service, service call, service calls, service truck,
        service trucks, call out, call outs, callout, callouts, on call, after hours,
        emergency~, hot shot, parts availability, fill rate, first time fix,
        first time fix rate, loaner, loaners, preventive maintenance, planned maintenance,
        pipeline maintenance, maintenance~, technician~, technicians~, back up and running,
        running again, up and running, outage, outages
    """,
    ),
    "quality": (
        "quality and damage",
        {QUALITY: 1.0, RETAIN: 0.3, EFFICIENT: 0.3},
        """
        damage, damaged, damages, damage claim, damage claims, cargo claim, cargo claims,
        claims ratio, claim~, claims~, breakage, broken~, crushed, defect, defects, defective,
        defect rate, quality, quality control, quality issue, quality issues, qc, rework,
        scrap, scrap rate, shortage, shortages, overage, overages, os&d, os d, exception~,
        exceptions~, mislabel, mislabeled, mislabelled, wrong item, wrong items, lost~,
        first pass yield, yield loss, nonconformance, capa, recall, recalls, returns~,
        return rate, root cause, load securement, securement, do not stack, fragile
    """,
    ),
    "compliance": (
        "compliance and audit",
        {COMPLY: 1.0},
        """
        compliance, compliant, noncompliance, regulatory, regulation, regulations,
        regulator~, exam, exams, examination, examiner, examiners, audit, audits, audited,
        auditor, auditors, audit finding, audit findings, finding~, findings~, remediation,
        remediate, remediated, controls~, control testing, internal controls, policy~,
        policies~, procedure~, procedures~, disclosure, disclosures, due diligence,
        risk assessment, risk questionnaire, bsa, aml, kyc, cip, cdd, sar, sars, ctr, ctrs,
        ofac, udaap, fair lending, reg e, reg z, hipaa, fda, 510(k), fda clearance, iso, osha, sox, soc #,
        gdpr, inspection readiness, mock exam, mock audit, consent order, dor, dors,
        validation~, documented~, certification~, certified~
    """,
    ),
    "inventory": (
        "inventory",
        {STOCK: 1.0, EFFICIENT: 0.4},
        """
        inventory, inventories, stock~, stocked~, stocking~, aged inventory, aged units,
        aging inventory, units~, floorplan, floor plan, on the lot, lot~, back lot,
        days on lot, days in stock, inventory turns, turns~, sell through, sell thru,
        clearance~, clearance sale, overstock, dead stock, excess stock, wholesale~, markdown, markdowns,
        sku, skus, backorder, backorders, out of stock, stockout, stockouts, replenish~,
        replenishment, trade in, trade ins, traded~, used equipment, used inventory,
        pre owned, preowned, reconditioned, recon, listing~, listings~
    """,
    ),
    "utilisation": (
        "utilisation",
        {UTILISE: 1.0, EFFICIENT: 0.6},
        """
        utilization, utilisation, capacity~, load factor, load factors, occupancy,
        occupancy rate, empty miles, empty mile, deadhead, deadheading, backhaul,
        backhauls, empty leg, empty legs, consolidate~, consolidation~, density~,
        full truck, full trucks, truckload~, less than truckload, ltl~, lane~, lanes~,
        shipments~, shipment~, volume~, throughput, yield~, spare capacity, idle~,
        asset utilization, billable hours, billed hours, hours billed, shop efficiency
    """,
    ),
    "labor": (
        "labour productivity",
        {EFFICIENT: 0.8, UTILISE: 0.3},
        """
        labor cost, labour cost, labor costs, labour costs, labor hours, labour hours,
        labor~, labour~, overtime, staffing~, scheduling~, staff schedule, cross trained,
        cross train, cross training, crosstrained, fewer hours, hours per, per occupied room,
        cpor, flow through, flowthrough, gop, wages~, payroll cost, payroll costs,
        productivity per, man hours, in house~, outsourced~
    """,
    ),
    "direct_channel": (
        "direct bookings and sales",
        {DIRECT: 1.0, EFFICIENT: 0.4, NEW: 0.3},
        """
        direct booking, direct bookings, book direct, booked direct, direct channel,
        direct channels, direct sales~, direct mix, brand com, our website~, own website,
        ota, otas, online travel agency, expedia, booking com, hotels com, airbnb~, vrbo~,
        metasearch, meta search, google hotel ads, commission~, commissions~,
        third party~, intermediary, intermediaries, middleman, marketplace fees,
        rate parity, parity, loyalty program, loyalty programme, loyalty members,
        member rate, member rates, abandoned booking, abandoned cart, abandoned carts,
        reservations~, voice reservations, call center bookings~, dtc~, subscribe and save,
        subscription~, repeat purchase, repeat purchases, repeat guests, past guests
    """,
    ),
    "yield": (
        "rate and yield",
        {EXPAND: 0.6, UTILISE: 0.6, EFFICIENT: 0.3},
        """
        revpar, adr, average daily rate, average rate, room rate, room rates, rate~, rates~,
        bar~, best available rate, length of stay, los~, minimum stay, min stay,
        stay restriction, stay restrictions, overbooking, overbook, displacement,
        comp set, competitive set, rgi, mpi, ari, str~, revenue management,
        yield management, dynamic pricing, rate shop, rate increase, price increase~,
        revpas, revpash, revenue per available, per available room, upsell~
    """,
    ),
    "group_sales": (
        "group and contract sales",
        {NEW: 0.8, EXPAND: 0.3},
        """
        group business, group sales, group booking, group bookings, room block,
        room blocks, block~, blocks~, rooming list, attrition clause, group~, groups~,
        contracted~, definite~, tentative~, f&b minimum, f b minimum, food and beverage,
        banquet~, catering~, meeting planner, meeting planners, cvb, wedding~, weddings~
    """,
    ),
    "lending": (
        "loans and lending",
        {LENDING: 1.0, NEW: 0.4},
        """
        loan~, loans~, lending~, lender~, auto loan, auto loans, car loan, car loans,
        auto lending, indirect lending, indirect~, refi, refinance, refinanced,
        refinancing, mortgage~, heloc, helocs, originations, originated, funded~,
        pre qual, pre quals, prequal, prequalified, loan application, loan applications,
        delinquency, delinquencies, dpd, charge off, charge offs, borrower, borrowers,
        underwriting~, rate sheet, f&i, f i, dealer~, dealers~, credit builder,
        secured card, financing~, finance~
    """,
    ),
    "deposits": (
        "deposits and primary accounts",
        {DEPOSITS: 1.0, RETAIN: 0.4},
        """
        direct deposit, direct deposits, paycheck, paychecks, payroll deposit,
        checking, checking account, checking accounts, debit, debit card, debit cards,
        primary account, primary institution, primary financial institution, primary fi,
        primary bank, deposits, deposit balances, share draft, interchange, swipes,
        transactions~, open an account, account opening, new accounts~, first account,
        first accounts, early pay, payroll enrollment, switch kit
    """,
    ),
    "aftersales": (
        "parts and service",
        {AFTERSALES: 1.0, EFFICIENT: 0.5},
        """
        parts~, parts sales, parts counter, parts department, service department,
        service revenue, service ticket, service tickets, repair order, repair orders,
        labor rate, labour rate, effective labor rate, shop~, service bay, bay~,
        warranty~, warranty claim, warranty claims, absorption, fixed absorption,
        service absorption, aftermarket, wear parts, filter~, filters~, inspection~,
        inspections~, service plan, service plans, service agreement, service agreements,
        maintenance plan, maintenance plans, maintenance agreement, maintenance contract,
        service contract, service contracts, extended warranty, protection plan,
        care plan~, care plans~, pm plan, pm plans
    """,
    ),
    "effort": (
        "customer effort",
        {RETAIN: 0.8, EFFICIENT: 0.5},
        """
        wait time, wait times, waiting~, hold time, hold times, on hold, call volume,
        call volumes, calls~, call drivers, abandon rate, abandonment~, abandoned~,
        call center, contact center, friction, frictionless, self service, one and done,
        first call resolution, first contact resolution, repeat calls, repeat call,
        transfer~, transfers~, callback, call back~, callbacks, verification~,
        password reset, password resets, help article, help articles, easier, easy~,
        fewer steps, fewer fields, prefilled, pre filled, queue~, queues~
    """,
    ),
    "guest": (
        "guest experience",
        {RETAIN: 1.0},
        """
        guest satisfaction, guest experience, guest scores, guest score, review score,
        review scores, online reviews, tripadvisor, google reviews, yelp, medallia,
        intent to recommend, likely to recommend, recommend~, top box, cleanliness,
        guest complaint, guest complaints, mentions~, reviews~, review~, five star,
        5 star, star rating, star ratings, stars~, patient experience, hcahps
    """,
    ),
    # Consumes internal-admin phrases so their words do not count as evidence.
    "housekeeping": (
        "internal admin",
        {},
        """
        expense report, expense reports, expenses report, inbox, email signature, offsite,
        off site, team offsite, all hands, team meeting, staff meeting, one on one,
        team lunch, happy hour, birthday, holiday party, holiday card, holiday cards,
        office move, laptop, password, calendar, out of office, vacation, pto, timesheet,
        timesheets, desk~, venue~, slide deck~, slide decks~, photos~, office~, closed out~,
        close out~, group photo, holiday card, holiday cards, staff mtg, team mtg, dress code,
        handbook, sharepoint, folders, harassment training,
        harassment prevention, shared drive, org chart, paperwork, workers comp, auto reply,
        auto replies, autoreply, dashboard~, signage
    """,
    ),
}

# Spending something and stopping it together mean cost cutting, whatever the words.
CUT_ACTIONS = """
    cut, cuts, cutting, stop, stopped, stopping, pause, paused, pausing, kill, killed,
    sunset, sunsetted, deprecate, deprecated, deprioritize, deprioritized, drop, dropped,
    dropping, cancel, cancelled, canceled, wind down, wound down, shut down, shut off,
    turn off, turned off, defund, defunded, scrap, scrapped, eliminate, eliminated,
    trim, trimmed, reduce, reduced, halve, halved, stop chasing, stopped chasing,
    no longer, replace, replaced, renegotiate, renegotiated, negotiated, down~
"""
SPEND_OBJECTS = """
    sponsorship, sponsorships, agency, agencies, retainer, contractor, contractors,
    freelancer, freelancers, freelance, vendor, vendors, tool, tools, subscription,
    subscriptions, software, license, licenses, licence, licences, platform, ad spend,
    paid media, ads, trade show, trade shows, event budget, program, programs, programme,
    programmes, channel, channels, spend, cost, costs, budget, fee, fees, headcount,
    travel, martech, consultant, consultants, print, swag, booth, lease, rent, office space,
    bill, invoice, translators, storage, hosting, compute, servers, cloud
"""
COST_CUT = ("cost_cut", "cost cut", {EFFICIENT: 1.0})

# Who the work is for. segment id: (label, triggers).
SEGMENTS: dict[str, tuple[str, str]] = {
    # Audiences (AUDIENCES): people, never a company's own trade.
    "young": (
        "younger customers",
        """
        gen z, genz, millennial, millennials, young, younger, youth, young adults,
        young professionals~, student, students, graduate~, grads, new grads, campus,
        college~, university~, first credit card, first car,
        first job, first apartment, median age, average age, avg age, tiktok, snapchat
    """,
    ),
    # Industries.
    "financial_services": (
        "financial services",
        """
        financial services, financial institution, financial institutions, finserv, fsi,
        bank, banks, banking, banker, bankers, credit union, credit unions, insurer,
        insurers, insurance, insurtech, reinsurance, underwriter, underwriters,
        underwriting, mutual~, fintech, fintechs, lender, lenders, lending, mortgage,
        mortgages, loan, loans, wealth management, asset management, asset manager,
        asset managers, investment firm, investment firms, hedge fund, hedge funds,
        private equity, brokerage, broker dealer, payments company, payment processor,
        card issuer, capital markets, trading firm, stock exchange, savings bank,
        building society, bancorp, bancshares, kyc, aml, anti money laundering,
        wire fraud, fraud~, regulator~, regulators~, pension fund, pension funds,
        life insurance, assurance~, casualty, financial~, treasury~
    """,
    ),
    "healthcare": (
        "healthcare",
        """
        healthcare, health care, health system, health systems, hospital, hospitals,
        clinic, clinics, clinical, clinician, clinicians, physician, physicians, doctor,
        doctors, nurse, nurses, nursing, patient, patients, payer, payers, pharma,
        pharmaceutical, biotech, life sciences, medical, medtech, medical device,
        medical devices, hipaa, ehr, emr, telehealth, health plan, health plans, dental,
        dentist, behavioral health, care home, care homes, senior living, nursing home,
        nursing homes, laboratory, laboratories, diagnostics, pharmacy, pharmacies
    """,
    ),
    "public_sector": (
        "public sector",
        """
        public sector, government, governments, govt, federal agency, federal agencies,
        government agency, government agencies, public agency, state agency,
        state agencies, municipality, municipalities, municipal, city council,
        county~, counties~, county council, county councils, local authority,
        local authorities, local government, city government, state government, state and local, sled,
        federal~, ministry, ministries,
        department of, public administration, defense, defence, military, dod, fedramp,
        govtech, public body, public bodies, council~, councils~, city of,
        state department, transportation department, civil service, public services
    """,
    ),
    "education": (
        "education",
        """
        education, edtech, school, schools, school district, school districts, k 12, k12,
        university, universities, college, colleges, campus, campuses, higher education,
        higher ed, student, students, teacher, teachers, faculty, academic, academia,
        district~, districts~
    """,
    ),
    "retail": (
        "retail",
        """
        retail, retailer, retailers, ecommerce, e commerce, online store, online stores,
        store~, stores~, shop~, shops~, shopper, shoppers, merchant, merchants,
        consumer brand, consumer brands, cpg, consumer goods, grocery, grocer, grocers,
        fashion, apparel, point of sale, dtc, direct to consumer
    """,
    ),
    "manufacturing": (
        "manufacturing",
        """
        manufacturing, manufacturer, manufacturers, factory, factories, plant~, plants~,
        industrial, production line, shop floor, oem, oems, automotive, aerospace,
        machinery, chemicals, assembly line
    """,
    ),
    "logistics": (
        "logistics",
        """
        logistics, shipping~, shipper, shippers, freight, carrier~, carriers~, trucking,
        fleet, fleets, warehouse, warehouses, warehousing, 3pl, 3pls, transportation,
        supply chain, courier, couriers, last mile
    """,
    ),
    "technology": (
        "technology companies",
        """
        software company, software companies, saas company, saas companies, tech company,
        tech companies, technology company, technology companies, isvs
    """,
    ),
    "professional_services": (
        "professional services",
        """
        law firm, law firms, legal, accounting firm, accounting firms, consultancy,
        consultancies, consulting firm, consulting firms, professional services
    """,
    ),
    "energy": (
        "energy and utilities",
        """
        energy, utility~, utilities, oil and gas, renewables, power company, grid
    """,
    ),
    "hospitality": (
        "hospitality and travel",
        """
        hotel, hotels, hospitality, restaurant, restaurants, airline, airlines, travel~
    """,
    ),
    "nonprofit": (
        "nonprofits",
        """
        nonprofit, nonprofits, non profit, non profits, charity, charities, ngo, ngos
    """,
    ),
    "real_estate": (
        "real estate and construction",
        """
        real estate, property management, property managers, construction, builders,
        homebuilder, homebuilders
    """,
    ),
    # Company size.
    "enterprise": (
        "enterprise",
        """
        enterprise, enterprises, large enterprise, large enterprises, fortune #, global #,
        large account, large accounts, strategic account, strategic accounts,
        named account, named accounts, key account, key accounts, upmarket, up market,
        large companies, large company, multinational, multinationals, conglomerate,
        national chain, national chains, nationwide chain, big box, department store,
        department stores, household name~, procurement~, rfp~, security review~, security questionnaire~,
        legal review~,
        msa~, buying committee~, c suite~, executive sponsor~
    """,
    ),
    "mid_market": (
        "mid-market",
        """
        mid market, midmarket, mid size, midsize, mid sized, midsized, medium sized,
        medium size, medium businesses, medium business, mid tier~, commercial segment
    """,
    ),
    "smb": (
        "small business",
        """
        smb, smbs, small business, small businesses, small and medium, sme, smes,
        startup, startups, small companies, small company, small teams, long tail,
        sole proprietor, sole proprietors, self employed, local business, local businesses,
        small shops, shops~, storefront~, storefronts~, main street, family owned, freelancer,
        freelancers, solopreneur, solopreneurs, bakeries, bakery, cafe, cafes, restaurants~,
        salon, salons, dental practice, dental practices, practices~, clinics~, boutiques,
        boutique~, independent retailers, tradespeople, contractors~
    """,
    ),
    # Regions.
    "europe": (
        "Europe",
        """
        europe, european, eu, uk, united kingdom, britain, british, england, scotland,
        london, germany, german, dach, france, french, paris, spain, spanish, italy,
        italian, nordics, nordic, benelux, netherlands, dutch, amsterdam, ireland, irish,
        dublin, poland, polish, switzerland, swiss, sweden, swedish, norway, denmark,
        finland, belgium, austria, portugal, berlin, munich, madrid, milan, stockholm
    """,
    ),
    "middle_east_africa": (
        "Middle East and Africa",
        """
        middle east, africa, african, uae, dubai, saudi, saudi arabia, israel, qatar,
        south africa, nigeria, kenya, egypt
    """,
    ),
    "north_america": (
        "North America",
        """
        north america, north american, united states, usa, us market, canada, canadian,
        new york, nyc, chicago, san francisco, boston, toronto, texas, california
    """,
    ),
    "apac": (
        "Asia-Pacific",
        """
        apac, asia, asian, asia pacific, australia, australian, anz, new zealand, japan,
        japanese, singapore, india, indian, china, chinese, korea, korean, southeast asia,
        sydney, tokyo, hong kong
    """,
    ),
    "latam": (
        "Latin America",
        """
        latam, latin america, south america, brazil, brazilian, mexico, mexican,
        argentina, chile, colombia, peru, sao paulo, são paulo, rio de janeiro, mexico city,
        monterrey, guadalajara, buenos aires, bogota, bogotá, santiago, lima, latino~
    """,
    ),
    "emea": ("EMEA", "emea"),
}

# An objective about the broader segment is served by work in a narrower one.
AUDIENCES = frozenset({"young"})

SEGMENT_PARENTS: dict[str, tuple[str, ...]] = {
    "europe": ("emea",),
    "middle_east_africa": ("emea",),
}

# Headcount thresholds for "N employees" style mentions: (minimum, segment).
SIZE_BANDS: tuple[tuple[int, str], ...] = ((1000, "enterprise"), (100, "mid_market"), (1, "smb"))
HEADCOUNT_WORDS = frozenset(
    {
        "employee",
        "employees",
        "staff",
        "people",
        "person",
        "workers",
        "headcount",
        "fte",
        "ftes",
    }
)

# An age bound reads as the "younger customers" audience only beside people or years: "members under 35",
# "aged 18-29", "25-34 year olds"; never "under 30 days" or "Oct 18-24".
AGE_PEOPLE_WORDS = frozenset(
    {
        "members",
        "customers",
        "clients",
        "guests",
        "patients",
        "consumers",
        "shoppers",
        "buyers",
        "borrowers",
        "adults",
        "people",
        "users",
        "audience",
        "audiences",
        "followers",
        "fans",
    }
)
AGE_WORDS = frozenset({"age", "aged", "ages", "year", "years", "yo", "olds"})
YOUNG_AGE_MAX = 40  # "members under 35" is a youth segment; "customers under 65" is not

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "via",
        "per",
        "vs",
        "etc",
        "week",
        "weeks",
        "today",
        "yesterday",
        "this",
        "month",
        "last",
        "next",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "got",
        "get",
        "still",
        "already",
        "within",
        "without",
        "across",
        "around",
        "amp",
        "wk",
        "wks",
    ]
)

# Outcome verbs and filler every objective uses; they say nothing about which one.
GENERIC_OBJECTIVE_WORDS = frozenset(
    [
        "grow",
        "growth",
        "increase",
        "increasing",
        "improve",
        "improving",
        "reduce",
        "reducing",
        "decrease",
        "drive",
        "driving",
        "build",
        "building",
        "become",
        "keep",
        "make",
        "create",
        "deliver",
        "achieve",
        "accelerate",
        "boost",
        "raise",
        "lift",
        "lead",
        "bring",
        "hit",
        "reach",
        "better",
        "faster",
        "higher",
        "lower",
        "more",
        "less",
        "new",
        "target",
        "targets",
        "goal",
        "goals",
        "objective",
        "objectives",
        "focus",
        "key",
        "strategy",
        "ensure",
        "maintain",
        "strengthen",
        "establish",
        "enable",
        "win",
        "winning",
        "double",
        "triple",
        "top",
        "best",
        "great",
        "good",
        "strong",
        "expand",
        "expanding",
        "scale",
        "scaling",
        "q1",
        "q2",
        "q3",
        "q4",
        "h1",
        "h2",
        "fy",
        "year",
        "quarter",
        "month",
        "percent",
        "company",
        "companies",
        "team",
        "teams",
        "work",
        "working",
    ]
)

# Words so common in business text that a literal match is weak evidence.
COMMON_BUSINESS_WORDS = frozenset(
    [
        "customer",
        "customers",
        "client",
        "clients",
        "product",
        "products",
        "business",
        "market",
        "markets",
        "sales",
        "marketing",
        "account",
        "accounts",
        "program",
        "programs",
        "service",
        "services",
        "plan",
        "plans",
        "project",
        "projects",
        "process",
        "data",
        "platform",
        "solution",
        "solutions",
        "value",
        "team",
        "people",
        "users",
        "user",
        "company",
        "organization",
        "org",
    ]
)

# Words of any status report, whatever the work: days, months, times and the verbs of
# getting things done. One labelled text saying "set up ... on Tue" teaches nothing by them.
ROUTINE_WORDS = frozenset(
    [
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "today",
        "tomorrow",
        "yesterday",
        "week",
        "weeks",
        "wk",
        "wks",
        "weekly",
        "day",
        "days",
        "daily",
        "night",
        "nights",
        "am",
        "pm",
        "morning",
        "afternoon",
        "tonight",
        "last",
        "next",
        "first",
        "second",
        "third",
        "ago",
        "since",
        "until",
        "til",
        "thru",
        "via",
        "per",
        "w",
        "etc",
        "ok",
        "re",
        "us",
        "we",
        "our",
        "set",
        "setting",
        "setup",
        "up",
        "got",
        "get",
        "getting",
        "done",
        "did",
        "doing",
        "started",
        "start",
        "starting",
        "finished",
        "sent",
        "send",
        "sending",
        "put",
        "moved",
        "move",
        "made",
        "making",
        "took",
        "take",
        "taking",
        "gave",
        "give",
        "went",
        "go",
        "going",
        "ran",
        "run",
        "running",
        "pulled",
        "pull",
        "called",
        "call",
        "calls",
        "meeting",
        "meetings",
        "sync",
        "list",
        "lists",
        "now",
        "still",
        "also",
        "live",
        "option",
        "options",
        "open",
        "opened",
        "asked",
        "ask",
        "asks",
        "said",
        "says",
        "told",
        "new",
        "old",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "dozen",
        "few",
        "many",
        "lunch",
        "coffee",
        "staff",
        "folks",
        "everyone",
        "anyone",
        "nobody",
        "someone",
    ]
)

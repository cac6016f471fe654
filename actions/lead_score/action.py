SENIOR_TITLES = ("chief", "cto", "ceo", "cfo", "vp", "vice president", "head of", "director", "founder")
FREE_MAIL = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "gmx.de"}


def main(event):
    fields = event["inputFields"]
    score = 0
    reasons = []

    title = (fields.get("jobtitle") or "").lower()
    if any(word in title for word in SENIOR_TITLES):
        score += 30
        reasons.append("senior title")

    employees = fields.get("numemployees")  # HubSpot's ranges: "1-5", "25-50", "1000+"
    if employees:
        count = int(employees.split("-")[0].rstrip("+"))
        if count >= 1000:
            score += 30
            reasons.append("enterprise")
        elif count >= 50:
            score += 15
            reasons.append("mid-market")

    domain = (fields.get("email") or "").rpartition("@")[2].lower()
    if domain and domain not in FREE_MAIL:
        score += 20
        reasons.append("company email")

    visits = int(fields.get("num_visits") or 0)
    score += min(visits, 10) * 2

    tier = "hot" if score >= 60 else "warm" if score >= 30 else "cold"
    print(f"score {score} ({', '.join(reasons) or 'no signals'}) -> {tier}")
    return {"outputFields": {"score": score, "tier": tier, "reasons": "; ".join(reasons)}}

"""Service: e-mail a client their plan (the client's copy, never the notes) and private link."""

from readiness import mail, meetings, results
from readiness.links import private_link
from readiness.models import Assessment, Client

WHAT = "Plan pour le client (PDF) et lien privé"


def send_plan(client: Client, assessment: Assessment) -> str:
    """Send the plan to the client's address, record it in the client's history; what was sent."""
    from readiness import pdf

    report = results.build_report(assessment, results.completed_answers(assessment))
    document = pdf.plan_pdf(report)
    consultant = assessment.client.consultant
    body = (
        f"Bonjour,\n\n"
        f"Vous trouverez ci-joint le plan d’action réseaux sociaux de {report['company_name']}, "
        f"établi lors de notre rendez-vous.\n\n"
        f"Vos réponses et votre résultat restent consultables avec votre lien privé "
        f"(gardez-le pour vous) :\n{private_link(assessment.token)}\n\n"
        f"Bien cordialement,\n{consultant.name}"
        + (f"\n{consultant.firm}" if consultant.firm else "")
        + "\n"
    )
    # A header is one line: a pasted line or paragraph separator (\u2028, \x0b…) in the
    # company name would make the e-mail library refuse the message (the file name is a slug).
    company = " ".join(report["company_name"].split())
    mail.send(
        client.email,
        f"Votre plan d’action réseaux sociaux – {company}",
        body,
        [mail.Attachment(pdf.plan_filename(report), document)],
    )
    meetings.record_sending(client, client.email, WHAT)
    return WHAT

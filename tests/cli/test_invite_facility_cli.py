"""``fabnet orgs invite-facility``: the operator invites a facility not yet on the platform; the
one-time link is printed (and e-mailed when an SMTP server is set) and creates the manufacturer
when followed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.identity import OrgKind
from fabnet.services.identity import invitations
from fabnet.storage.db import Database


def test_invite_a_facility_from_the_cli(runner: CliRunner, sqlite_env: Database) -> None:
    result = runner.invoke(app, ["orgs", "invite-facility", "lab@kisumu.org", "--name",
                                 "Kisumu Makers", "--base-url", "https://fabnet.example.org",
                                 "--days", "3", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    assert issued["emailed"] is False and "no SMTP server" in issued["email_error"]
    link = issued["link"]
    assert link.startswith("https://fabnet.example.org/invitations/")
    token = link.rsplit("/", 1)[1]
    assert invitations.invitation_by_token(sqlite_env, token).facility_name == "Kisumu Makers"
    done = invitations.accept_facility_invitation(sqlite_env, token, org_name="Kisumu Makers",
                                                  display_name="Otieno",
                                                  password="long enough password")  # fmt: skip
    assert done.organisation.kind is OrgKind.MANUFACTURER

    human = runner.invoke(app, ["orgs", "invite-facility", "other@lab.org", "--name", "Lab 2"])
    assert human.exit_code == 0, human.output
    assert "Lab 2 invited: other@lab.org" in human.output
    assert "http://127.0.0.1:8000/invitations/" in human.output

    bad = runner.invoke(app, ["orgs", "invite-facility", "not-an-address", "--name", "Lab 3"])
    assert bad.exit_code == 2 and "is not an email address" in bad.output

"""What spans domains, above them (as Zulip's zerver/actions): posting an idea into a campaign, a
vote held to a campaign's window and budget, a status change and what follows it, closing a survey
round and what its answers lead to; and the idea page, which shows and answers for several
domains at once. The domains below know nothing of each other's rules; they depend downward only."""

"""The district (区) and its street offices (街道): their accounts, the report rollup and
the overview."""

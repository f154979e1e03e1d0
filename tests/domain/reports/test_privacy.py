"""Masking for the public: personal numbers, IDs and contacts in every spelling a resident
would type, never what is not personal. No database, no app
(phone numbers' spellings: tests/domain/shared/test_phones.py)."""

import pytest

from webapp.domain.reports.privacy import MASK, mask

# (text, what must not be readable in the masked text)
HIDDEN = [
    ("电话13912345678，谢谢", "13912345678"),
    ("手机138.0013.8000。", "0013"),
    ("打138/0013/8000找我", "0013"),
    ("138-0013-8000", "0013"),
    ("(0351)765-4321找王师傅", "765"),
    ("+86 138 0013 8000", "0013"),
    ("0086 13800138000", "13800138000"),
    ("(+86)13800138000", "13800138000"),
    ("电话８６－１３８００１３８０００", "１３８"),
    ("电话１３８　００１３　８０００", "００１３"),
    ("0351-7654321转123", "7654321"),
    ("0351-7654321-123", "7654321"),
    ("0351 765 4321 分机 123", "4321"),
    ("电话:010-12345678", "12345678"),
    ("tel13912345678", "13912345678"),
    ("号码 1380013800 可能少打了一位", "1380013800"),     # mistyped, still personal
    ("身份证110105199001011234", "110105"),
    ("身份证 11010519900101123X", "123X"),
    ("身份证 110105 19900101 123x", "19900101"),
    ("老身份证110105900101123", "900101"),              # 15 digits
    ("微信 abc_123 谢谢", "abc_123"),
    ("微信号：wxid_abcd123", "wxid_abcd123"),
    ("加我微信zhangsan88", "zhangsan88"),
    ("wx: zhang-san", "zhang-san"),
    ("VX zhangsan88", "zhangsan88"),
    ("QQ 12345678", "12345678"),
    ("QQ号:123456789", "123456789"),
    ("扣扣 987654321", "987654321"),
    ("邮箱 zsf@example.org", "zsf"),
    ("zsf＠example．org", "zsf"),
    ("zsf (at) example (dot) org", "zsf"),
    ("3楼302室漏水", "302"),
]


@pytest.mark.parametrize(("text", "secret"), HIDDEN)
def test_personal_numbers_and_ids_are_masked_in_every_spelling(text, secret):
    masked = mask(text)
    assert secret not in masked and MASK in masked, masked


@pytest.mark.parametrize("text", [
    "请拨打12345热线", "报警110", "2026-11-22下午3点到", "已合并到20261122-0042",
    "花了12000元", "约在3点，2楼楼道", "wxyz is fine", "楼道灯不亮",
])
def test_what_is_not_personal_stays(text):
    assert mask(text) == text


def test_the_residents_own_details_and_the_community_hotline():
    text = "张三丰家3楼302门口，电话 139 1234 5678，请打值班电话0351-7654300"
    masked = mask(text, own=["张三丰", "13912345678", "3楼302"],
                  public_numbers=["0351-7654300"])
    assert masked == "***家***门口，电话 ***，请打值班电话0351-7654300"
    assert mask(None) is None and mask("") == ""


@pytest.mark.parametrize("text, private, expected", [
    ("王芳家漏水", ["王芳", None, None], "***家漏水"),
    ("请打 139 1234 5678 找我", [None, None, None], "请打 *** 找我"),
    ("302室门口", [None, None, "3楼302"], "***室门口"),
    ("5号楼3单元门口有积水", [None, None, None], "5号楼3单元门口有积水"),
    ("邮件 a.b@example.org 联系", [None, None, None], "邮件 *** 联系"),
    ("住在1201户的老人", [None, None, None], "住在***的老人"),
])
def test_descriptions_are_masked_for_the_public(text, private, expected):
    assert mask(text, private) == expected

ngx.say('hello')
